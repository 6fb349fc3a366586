import { AmfEcmaArray } from '../amf/amf-value';
import { expectRtmpError } from '../amf/testing/expect-rtmp-error';
import { RtmpErrorCode } from '../errors/rtmp-error-code';
import { CommandMalformedError } from './command-malformed.error';
import { decodeCommand } from './command.decoder';
import { CapsExMask, FourCcInfoMask } from './command.constants';
import { parseConnectCommand } from './connect-command.parser';
import { parseStreamName } from './stream-name';
import {
  ERTMP_V2_CONNECT,
  FFMPEG_ENHANCED_CONNECT,
  FFMPEG_PLAY_CONNECT,
  FFMPEG_PUBLISH_CONNECT,
  NGINX_RELAY_CONNECT,
} from './testing/client-connect.fixtures';
import { OBS_CONNECT } from './testing/obs-capture.fixtures';

describe('parseConnectCommand', () => {
  it('reads the connect OBS sent (real capture)', () => {
    const connect = parseConnectCommand(decodeCommand(OBS_CONNECT));
    expect(connect).toMatchObject({
      transactionId: 1,
      app: 'live',
      type: 'nonprivate',
      flashVer: 'FMLE/3.0 (compatible; FMSc/1.0)',
      swfUrl: 'rtmp://127.0.0.1:19610/live',
      tcUrl: 'rtmp://127.0.0.1:19610/live',
      objectEncoding: 0,
      args: [],
    });
    expect(connect.pageUrl).toBeUndefined();
    expect(connect.fourCcList).toBeUndefined();
    expect(connect.commandObject.supportsGoAway).toBe(true);
  });

  it('reads the connect FFmpeg sends to publish (no swfUrl, no objectEncoding)', () => {
    const connect = parseConnectCommand(decodeCommand(FFMPEG_PUBLISH_CONNECT));
    expect(connect).toMatchObject({
      app: 'live',
      type: 'nonprivate',
      flashVer: 'FMLE/3.0 (compatible; Lavf61.1.100)',
      tcUrl: 'rtmp://localhost:1935/live',
      objectEncoding: 0,
    });
    expect(connect.swfUrl).toBeUndefined();
  });

  it('reads fourCcList from FFmpeg with enhanced codecs', () => {
    expect(parseConnectCommand(decodeCommand(FFMPEG_ENHANCED_CONNECT)).fourCcList).toEqual([
      'av01',
      'vp09',
      'hvc1',
    ]);
  });

  it('reads the player fields FFmpeg sends to play', () => {
    const connect = parseConnectCommand(decodeCommand(FFMPEG_PLAY_CONNECT));
    expect(connect).toMatchObject({
      flashVer: 'LNX 9,0,124,2',
      capabilities: 15,
      audioCodecs: 4071,
      videoCodecs: 252,
      videoFunction: 1,
    });
    expect(connect.type).toBeUndefined();
    expect(connect.commandObject.fpad).toBe(false);
  });

  it('reads the connect of an nginx-rtmp relay', () => {
    expect(parseConnectCommand(decodeCommand(NGINX_RELAY_CONNECT))).toMatchObject({
      tcUrl: 'rtmp://origin:1935/live',
      pageUrl: '',
      swfUrl: '',
      flashVer: 'LNX.11,1,102,55',
      audioCodecs: 3575,
    });
  });

  it('reads E-RTMP v2 fields from a command object sent as an ECMA array', () => {
    const connect = parseConnectCommand(decodeCommand(ERTMP_V2_CONNECT));
    expect(connect.commandObject).toBeInstanceOf(AmfEcmaArray);
    expect(connect.objectEncoding).toBe(3);
    expect(connect.capsEx).toBe(CapsExMask.Reconnect | CapsExMask.Multitrack);
    expect({ ...connect.videoFourCcInfoMap }).toEqual({
      '*': FourCcInfoMask.CanForward,
      hvc1: FourCcInfoMask.CanDecode | FourCcInfoMask.CanEncode,
    });
    expect({ ...connect.audioFourCcInfoMap }).toEqual({ Opus: FourCcInfoMask.CanDecode });
    expect(connect.args).toEqual(['extra user argument']);
    expect(parseStreamName(connect.app)).toEqual({ name: 'live', query: { token: 'abc' } });
  });

  it('reads fields of the wrong type as absent, and a non-number objectEncoding as 0', () => {
    const connect = parseConnectCommand({
      name: 'connect',
      transactionId: 1,
      commandObject: {
        app: 'a',
        tcUrl: 5,
        objectEncoding: 'three',
        fourCcList: 'av01',
        capsEx: '1',
      },
      args: [],
    });
    expect(connect.tcUrl).toBeUndefined();
    expect(connect.objectEncoding).toBe(0);
    expect(connect.fourCcList).toBeUndefined();
    expect(connect.capsEx).toBeUndefined();
  });

  it('does not read fields inherited from a polluted Object.prototype', () => {
    Object.defineProperty(Object.prototype, 'tcUrl', { value: 'rtmp://evil/', configurable: true });
    try {
      expect(parseConnectCommand(connectOf({ app: 'a' })).tcUrl).toBeUndefined();
    } finally {
      delete (Object.prototype as Record<string, unknown>).tcUrl;
    }
  });

  describe('errors', () => {
    it('a command object that is not an object is malformed', () => {
      expectRtmpError(
        () => parseConnectCommand(connectOf(null)),
        CommandMalformedError,
        RtmpErrorCode.CommandMalformed,
        false,
      );
    });

    it('a missing app is malformed', () => {
      const error = expectRtmpError(
        () => parseConnectCommand(connectOf({ tcUrl: 'rtmp://h/live' })),
        CommandMalformedError,
        RtmpErrorCode.CommandMalformed,
        false,
      );
      expect(error.context).toMatchObject({ field: 'app' });
    });

    it('an app that is not a string is malformed', () => {
      expectRtmpError(
        () => parseConnectCommand(connectOf({ app: 1 })),
        CommandMalformedError,
        RtmpErrorCode.CommandMalformed,
        false,
      );
    });

    it('another command is refused', () => {
      expectRtmpError(
        () =>
          parseConnectCommand({
            name: 'publish',
            transactionId: 1,
            commandObject: { app: 'a' },
            args: [],
          }),
        CommandMalformedError,
        RtmpErrorCode.CommandMalformed,
        false,
      );
    });
  });
});

function connectOf(commandObject: Parameters<typeof parseConnectCommand>[0]['commandObject']) {
  return { name: 'connect', transactionId: 1, commandObject, args: [] };
}
