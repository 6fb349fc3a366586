import { hex } from '../amf/testing/hex';
import {
  buildConnectObject,
  encodeCheckBandwidth,
  encodeCloseStream,
  encodeConnect,
  encodeCreateStream,
  encodeDeleteStream,
  encodeFCPublish,
  encodeFCUnpublish,
  encodePlay,
  encodePublish,
  encodeReleaseStream,
} from './client-command.builder';
import { decodeCommand } from './command.decoder';
import { DEFAULT_CLIENT_FLASH_VERSION } from './command.constants';
import { FFMPEG_ENHANCED_CONNECT, FFMPEG_PUBLISH_CONNECT } from './testing/client-connect.fixtures';
import {
  OBS_CONNECT,
  OBS_CREATE_STREAM,
  OBS_DELETE_STREAM,
  OBS_FC_PUBLISH,
  OBS_FC_UNPUBLISH,
  OBS_PUBLISH,
  OBS_RELEASE_STREAM,
} from './testing/obs-capture.fixtures';

describe('client command builders', () => {
  describe('byte for byte what OBS sends', () => {
    it.each([
      ['releaseStream(2, "obs")', () => encodeReleaseStream(2, 'obs'), OBS_RELEASE_STREAM],
      ['FCPublish(3, "obs")', () => encodeFCPublish(3, 'obs'), OBS_FC_PUBLISH],
      ['createStream(4)', () => encodeCreateStream(4), OBS_CREATE_STREAM],
      ['publish(5, "obs", "live")', () => encodePublish(5, 'obs'), OBS_PUBLISH],
      ['FCUnpublish(6, "obs")', () => encodeFCUnpublish(6, 'obs'), OBS_FC_UNPUBLISH],
      ['deleteStream(7, 1)', () => encodeDeleteStream(7, 1), OBS_DELETE_STREAM],
    ])('%s', (_name, build, expected) => {
      expect(build().toString('hex')).toBe(expected.toString('hex'));
    });

    it("connect with OBS's fields decodes to OBS's command object", () => {
      const object = buildConnectObject({
        app: 'live',
        tcUrl: 'rtmp://127.0.0.1:19610/live',
        flashVer: 'FMLE/3.0 (compatible; FMSc/1.0)',
        extra: { supportsGoAway: true },
      });
      expect(decodeCommand(encodeConnect(object))).toEqual(decodeCommand(OBS_CONNECT));
    });
  });

  describe('connect', () => {
    it('builds the FMLE-style object in FMLE order, swfUrl defaulting to tcUrl', () => {
      const object = buildConnectObject({ app: 'live', tcUrl: 'rtmp://h:1935/live' });
      expect(Object.entries(object)).toEqual([
        ['app', 'live'],
        ['type', 'nonprivate'],
        ['flashVer', DEFAULT_CLIENT_FLASH_VERSION],
        ['swfUrl', 'rtmp://h:1935/live'],
        ['tcUrl', 'rtmp://h:1935/live'],
      ]);
    });

    it("byte for byte FFmpeg's publishing connect when swfUrl is left out", () => {
      const object = buildConnectObject({
        app: 'live',
        tcUrl: 'rtmp://localhost:1935/live',
        flashVer: 'FMLE/3.0 (compatible; Lavf61.1.100)',
        swfUrl: null,
      });
      expect(encodeConnect(object).toString('hex')).toBe(FFMPEG_PUBLISH_CONNECT.toString('hex'));
    });

    it("byte for byte FFmpeg's enhanced connect, extras last", () => {
      const object = buildConnectObject({
        app: 'live',
        tcUrl: 'rtmp://localhost:1935/live',
        flashVer: 'FMLE/3.0 (compatible; Lavf61.1.100)',
        swfUrl: null,
        extra: { fourCcList: ['av01', 'vp09', 'hvc1'] },
      });
      expect(encodeConnect(object, 1).equals(FFMPEG_ENHANCED_CONNECT)).toBe(true);
    });

    it('sends objectEncoding only when asked, and user arguments after the object', () => {
      const plain = buildConnectObject({ app: 'a', tcUrl: 'rtmp://h/a' });
      expect('objectEncoding' in plain).toBe(false);
      const amf3 = buildConnectObject({ app: 'a', tcUrl: 'rtmp://h/a', objectEncoding: 3 });
      expect(amf3.objectEncoding).toBe(3);
      expect(decodeCommand(encodeConnect(plain, 1, 'user', 42)).args).toEqual(['user', 42]);
    });
  });

  describe('play, closeStream, _checkbw', () => {
    it('play sends start -2 by default, and duration and reset only when given', () => {
      expect(decodeCommand(encodePlay(4, 'cam')).args).toEqual(['cam', -2]);
      expect(decodeCommand(encodePlay(4, 'cam', { start: -2000 })).args).toEqual(['cam', -2000]);
      expect(decodeCommand(encodePlay(4, 'cam', { duration: 10 })).args).toEqual(['cam', -2, 10]);
      expect(decodeCommand(encodePlay(4, 'cam', { reset: false })).args).toEqual([
        'cam',
        -2,
        -1,
        false,
      ]);
    });

    it('play is [name, txn, null, stream, start]', () => {
      expect(encodePlay(5, 'a', { start: 0 }).toString('hex')).toBe(
        hex('02 0004 706c6179 00 4014000000000000 05 02 0001 61 00 0000000000000000').toString(
          'hex',
        ),
      );
    });

    it('closeStream and _checkbw carry a null command object and nothing else', () => {
      expect(decodeCommand(encodeCloseStream())).toEqual({
        name: 'closeStream',
        transactionId: 0,
        commandObject: null,
        args: [],
      });
      expect(decodeCommand(encodeCheckBandwidth(6))).toEqual({
        name: '_checkbw',
        transactionId: 6,
        commandObject: null,
        args: [],
      });
    });
  });
});
