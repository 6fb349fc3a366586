import { AmfEcmaArray, AmfObject } from '../amf/amf-value';
import { expectRtmpError } from '../amf/testing/expect-rtmp-error';
import { hex, utf8Hex } from '../amf/testing/hex';
import { RtmpErrorCode } from '../errors/rtmp-error-code';
import { MessageType } from '../message/message-type';
import { CommandMalformedError } from './command-malformed.error';
import { encodeMessageValues } from './command.encoder';
import {
  encodeDataMessage,
  encodeOnMetaData,
  encodeRtmpSampleAccess,
  encodeSetDataFrame,
} from './data-message.builder';
import { decodeDataMessage, metaDataOf, readDataMessage } from './data-message.parser';
import { OBS_SET_DATA_FRAME } from './testing/obs-capture.fixtures';

describe('data messages', () => {
  describe('the @setDataFrame onMetaData OBS sent (real capture)', () => {
    const message = decodeDataMessage(OBS_SET_DATA_FRAME, MessageType.DataAmf0);

    it('strips @setDataFrame and names the handler', () => {
      expect(message.name).toBe('onMetaData');
      expect(message.setDataFrame).toBe(true);
      expect(message.values).toHaveLength(1);
      expect(message.values[0]).toBeInstanceOf(AmfEcmaArray);
    });

    it('reads the metadata fields', () => {
      const meta = metaDataOf(message) as AmfObject;
      expect(meta).toMatchObject({
        duration: 0,
        fileSize: 0,
        width: 1280,
        height: 720,
        videocodecid: 7,
        videodatarate: 2500,
        framerate: 30,
        audiocodecid: 10,
        audiodatarate: 128,
        audiosamplerate: 44100,
        audiosamplesize: 16,
        audiochannels: 2,
        stereo: true,
        '2.1': false,
        '7.1': false,
        encoder: 'obs-output module (libobs version 29.0.2.1-1+b1)',
      });
      expect(Object.keys(meta)).toHaveLength(20);
    });

    it('encodes back to the same bytes with encodeSetDataFrame', () => {
      expect(encodeSetDataFrame(metaDataOf(message) as AmfObject).toString('hex')).toBe(
        OBS_SET_DATA_FRAME.toString('hex'),
      );
    });

    it('goes to players as onMetaData without the wrapper', () => {
      const forwarded = decodeDataMessage(encodeOnMetaData(metaDataOf(message) as AmfObject));
      expect(forwarded).toEqual({
        name: 'onMetaData',
        values: message.values,
        setDataFrame: false,
      });
    });
  });

  describe('decoding', () => {
    it('reads a data message without @setDataFrame', () => {
      expect(decodeDataMessage(encodeDataMessage('onTextData', { text: 'hi' }))).toEqual({
        name: 'onTextData',
        values: [{ text: 'hi' }],
        setDataFrame: false,
      });
    });

    it('reads a type 15 payload after its format selector', () => {
      const payload = encodeMessageValues(
        ['@setDataFrame', 'onMetaData', { width: 640 }],
        MessageType.DataAmf3,
      );
      expect(payload[0]).toBe(0);
      const message = decodeDataMessage(payload, MessageType.DataAmf3);
      expect(metaDataOf(message)).toEqual({ width: 640 });
    });

    it('takes a plain object as metadata too, and nothing else', () => {
      expect(metaDataOf(readDataMessage(['onMetaData', { a: 1 }]))).toEqual({ a: 1 });
      expect(metaDataOf(readDataMessage(['onMetaData', 'x']))).toBeUndefined();
      expect(metaDataOf(readDataMessage(['onCuePoint', { a: 1 }]))).toBeUndefined();
    });

    it('an empty payload is malformed', () => {
      expectRtmpError(
        () => decodeDataMessage(Buffer.alloc(0)),
        CommandMalformedError,
        RtmpErrorCode.CommandMalformed,
        false,
      );
    });

    it('@setDataFrame with nothing after it is malformed', () => {
      expectRtmpError(
        () => readDataMessage(['@setDataFrame']),
        CommandMalformedError,
        RtmpErrorCode.CommandMalformed,
        false,
      );
    });

    it('a name that is not a string is malformed', () => {
      expectRtmpError(
        () => readDataMessage(['@setDataFrame', 5]),
        CommandMalformedError,
        RtmpErrorCode.CommandMalformed,
        false,
      );
    });
  });

  describe('building', () => {
    it('@setDataFrame onMetaData <ECMA array> from a plain object', () => {
      expect(encodeSetDataFrame({ width: 1280 }).toString('hex')).toBe(
        hex(
          '02 000d',
          utf8Hex('@setDataFrame'),
          '02 000a',
          utf8Hex('onMetaData'),
          '08 00000001 0005',
          utf8Hex('width'),
          '00 4094000000000000 0000 09',
        ).toString('hex'),
      );
    });

    it('|RtmpSampleAccess(true, true)', () => {
      expect(encodeRtmpSampleAccess().toString('hex')).toBe(
        hex('02 0011', utf8Hex('|RtmpSampleAccess'), '01 01 01 01').toString('hex'),
      );
      expect(decodeDataMessage(encodeRtmpSampleAccess(false, false)).values).toEqual([
        false,
        false,
      ]);
    });
  });
});
