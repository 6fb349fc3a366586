import fc from 'fast-check';
import { AmfObject } from '../amf/amf-value';
import { amf0Value } from '../amf/testing/amf.arbitraries';
import { expectRtmpError } from '../amf/testing/expect-rtmp-error';
import { hex } from '../amf/testing/hex';
import { AmfBadReferenceError } from '../amf/amf-bad-reference.error';
import { encodeAmf0Values } from '../amf/amf0.encoder';
import { RtmpError } from '../errors/rtmp-error';
import { RtmpErrorCode } from '../errors/rtmp-error-code';
import { TruncatedDataError } from '../errors/truncated-data.error';
import { MessageType } from '../message/message-type';
import { CommandMalformedError } from './command-malformed.error';
import { decodeCommand, decodeMessageValues } from './command.decoder';
import { decodeDataMessage } from './data-message.parser';
import {
  NGINX_CONNECT_RESULT,
  NGINX_CREATE_STREAM_RESULT,
  NGINX_PUBLISH_START,
  OBS_CONNECT,
  OBS_CREATE_STREAM,
  OBS_DELETE_STREAM,
  OBS_FC_PUBLISH,
  OBS_FC_UNPUBLISH,
  OBS_PUBLISH,
  OBS_RELEASE_STREAM,
} from './testing/obs-capture.fixtures';

describe('decodeCommand', () => {
  describe('the commands of a real OBS → nginx-rtmp session', () => {
    it('connect (txn 1) with its command object', () => {
      const command = decodeCommand(OBS_CONNECT, MessageType.CommandAmf0);
      expect(command).toEqual({
        name: 'connect',
        transactionId: 1,
        commandObject: {
          app: 'live',
          type: 'nonprivate',
          supportsGoAway: true,
          flashVer: 'FMLE/3.0 (compatible; FMSc/1.0)',
          swfUrl: 'rtmp://127.0.0.1:19610/live',
          tcUrl: 'rtmp://127.0.0.1:19610/live',
        },
        args: [],
      });
      expect((command.commandObject as AmfObject).app).toBe('live');
    });

    it.each([
      ['releaseStream', OBS_RELEASE_STREAM, 2, ['obs']],
      ['FCPublish', OBS_FC_PUBLISH, 3, ['obs']],
      ['createStream', OBS_CREATE_STREAM, 4, []],
      ['publish', OBS_PUBLISH, 5, ['obs', 'live']],
      ['FCUnpublish', OBS_FC_UNPUBLISH, 6, ['obs']],
      ['deleteStream', OBS_DELETE_STREAM, 7, [1]],
    ])('%s', (name, payload, transactionId, args) => {
      expect(decodeCommand(payload)).toEqual({ name, transactionId, commandObject: null, args });
    });

    it('nginx replies: connect _result, createStream _result, onStatus', () => {
      expect(decodeCommand(NGINX_CONNECT_RESULT)).toMatchObject({
        name: '_result',
        transactionId: 1,
        commandObject: { fmsVer: 'FMS/3,0,1,123', capabilities: 31 },
        args: [{ level: 'status', code: 'NetConnection.Connect.Success', objectEncoding: 0 }],
      });
      expect(decodeCommand(NGINX_CREATE_STREAM_RESULT)).toEqual({
        name: '_result',
        transactionId: 4,
        commandObject: null,
        args: [1],
      });
      expect(decodeCommand(NGINX_PUBLISH_START)).toMatchObject({
        name: 'onStatus',
        transactionId: 0,
        args: [{ code: 'NetStream.Publish.Start' }],
      });
    });
  });

  describe('type 17 (AMF3 command)', () => {
    it('skips the 0x00 format selector and reads AMF0', () => {
      const payload = Buffer.concat([hex('00'), OBS_CREATE_STREAM]);
      expect(decodeCommand(payload, MessageType.CommandAmf3)).toEqual({
        name: 'createStream',
        transactionId: 4,
        commandObject: null,
        args: [],
      });
    });

    it('reads values switched to AMF3 with 0x11, the name and command object included', () => {
      // 11 06 0f "connect" | 00 1.0 | 11 0a 0b 01 07 "app" 06 09 "live" 01 | 11 04 05
      const payload = hex(
        '00',
        '11 06 0f 636f6e6e656374',
        '00 3ff0000000000000',
        '11 0a 0b 01 07 617070 06 09 6c697665 01',
        '11 04 05',
      );
      expect(decodeCommand(payload, MessageType.CommandAmf3)).toEqual({
        name: 'connect',
        transactionId: 1,
        commandObject: { app: 'live' },
        args: [5],
      });
    });

    it('gives each switched value its own AMF3 tables', () => {
      // The second value refers to string 0 ("app"), which only the first switch has seen.
      const payload = hex('00 02 0001 78 00 0000000000000000 11 06 07 617070 11 06 00');
      expectRtmpError(
        () => decodeCommand(payload, MessageType.CommandAmf3),
        AmfBadReferenceError,
        RtmpErrorCode.AmfBadReference,
        false,
      );
    });

    it('refuses a format selector other than 0', () => {
      const error = expectRtmpError(
        () => decodeCommand(Buffer.concat([hex('01'), OBS_CREATE_STREAM]), MessageType.CommandAmf3),
        CommandMalformedError,
        RtmpErrorCode.CommandMalformed,
        false,
      );
      expect(error.context).toMatchObject({ selector: 1 });
    });

    it('refuses an empty type 17 payload', () => {
      expectRtmpError(
        () => decodeCommand(Buffer.alloc(0), MessageType.CommandAmf3),
        CommandMalformedError,
        RtmpErrorCode.CommandMalformed,
        false,
      );
    });
  });

  describe('leniency', () => {
    it('a payload that ends after the name reads as txn 0 and a null command object', () => {
      expect(decodeCommand(hex('02 0004 70696e67'))).toEqual({
        name: 'ping',
        transactionId: 0,
        commandObject: null,
        args: [],
      });
    });

    it('a payload that ends after the transaction id reads as a null command object', () => {
      expect(decodeCommand(hex('02 0004 70696e67 00 4000000000000000'))).toEqual({
        name: 'ping',
        transactionId: 2,
        commandObject: null,
        args: [],
      });
    });
  });

  describe('errors', () => {
    it('an empty payload is malformed', () => {
      expectRtmpError(
        () => decodeCommand(Buffer.alloc(0)),
        CommandMalformedError,
        RtmpErrorCode.CommandMalformed,
        false,
      );
    });

    it('a first value that is not a string is malformed', () => {
      expectRtmpError(
        () => decodeCommand(hex('00 3ff0000000000000 05')),
        CommandMalformedError,
        RtmpErrorCode.CommandMalformed,
        false,
      );
    });

    it('a second value that is not a number is malformed', () => {
      const error = expectRtmpError(
        () => decodeCommand(hex('02 0004 70696e67 05')),
        CommandMalformedError,
        RtmpErrorCode.CommandMalformed,
        false,
      );
      expect(error.context).toMatchObject({ name: 'ping' });
    });

    it('a message type that carries no AMF is refused', () => {
      expectRtmpError(
        () => decodeCommand(OBS_CREATE_STREAM, MessageType.Video),
        CommandMalformedError,
        RtmpErrorCode.CommandMalformed,
        false,
      );
    });

    it('AMF errors come through with their own code', () => {
      expectRtmpError(
        () => decodeCommand(OBS_CONNECT.subarray(0, OBS_CONNECT.length - 1)),
        TruncatedDataError,
        RtmpErrorCode.Truncated,
        true,
      );
    });
  });

  describe('arbitrary bytes give a command or an RtmpError, never another error', () => {
    const payloads = fc.oneof(
      fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
      fc
        .tuple(
          fc.string(),
          fc.double(),
          fc.array(amf0Value, { maxLength: 3 }),
          fc.nat(),
          fc.nat(255),
        )
        .map(([name, txn, rest, at, byte]) => {
          const bytes = Buffer.from(encodeAmf0Values([name, txn, ...rest]));
          bytes[at % bytes.length] = byte;
          return bytes;
        }),
    );

    it.each([
      ['decodeCommand, type 20', (bytes: Buffer) => decodeCommand(bytes, MessageType.CommandAmf0)],
      ['decodeCommand, type 17', (bytes: Buffer) => decodeCommand(bytes, MessageType.CommandAmf3)],
      [
        'decodeDataMessage, type 18',
        (bytes: Buffer) => decodeDataMessage(bytes, MessageType.DataAmf0),
      ],
      [
        'decodeDataMessage, type 15',
        (bytes: Buffer) => decodeDataMessage(bytes, MessageType.DataAmf3),
      ],
    ])('%s', (_name, decode) => {
      fc.assert(
        fc.property(payloads, (bytes) => {
          try {
            decode(bytes);
          } catch (error) {
            expect(error).toBeInstanceOf(RtmpError);
          }
        }),
        { numRuns: 400 },
      );
    });
  });
});

describe('decodeMessageValues', () => {
  it('reads every value of a type 18 payload', () => {
    expect(decodeMessageValues(hex('05 06'), MessageType.DataAmf0)).toEqual([null, undefined]);
  });
});
