import { expectRtmpError } from '../amf/testing/expect-rtmp-error';
import { RtmpErrorCode } from '../errors/rtmp-error-code';
import { CommandMalformedError } from './command-malformed.error';
import { decodeCommand } from './command.decoder';
import { NetStatusCode } from './net-status-code';
import {
  parseBandwidthDoneCommand,
  parseConnectResult,
  parseCreateStreamResult,
  parseResultCommand,
  parseStatusCommand,
} from './response-command.parser';
import { RtmpCommand } from './rtmp-command';
import {
  encodeConnectError,
  encodeConnectResult,
  encodeEmptyResult,
  encodeOnBWDone,
  encodeOnFCPublish,
} from './server-command.builder';
import {
  NGINX_CONNECT_RESULT,
  NGINX_CREATE_STREAM_RESULT,
  NGINX_PUBLISH_START,
  NGINX_UNPUBLISH_SUCCESS,
} from './testing/obs-capture.fixtures';

describe('response command parsers', () => {
  describe('what nginx-rtmp sent OBS (real capture)', () => {
    it('the connect _result', () => {
      const result = parseConnectResult(decodeCommand(NGINX_CONNECT_RESULT));
      expect(result).toMatchObject({
        transactionId: 1,
        isError: false,
        properties: { fmsVer: 'FMS/3,0,1,123', capabilities: 31 },
        objectEncoding: 0,
        status: {
          level: 'status',
          code: NetStatusCode.ConnectSuccess,
          description: 'Connection succeeded.',
        },
      });
    });

    it('the createStream _result', () => {
      expect(parseCreateStreamResult(decodeCommand(NGINX_CREATE_STREAM_RESULT))).toEqual({
        transactionId: 4,
        streamId: 1,
      });
    });

    it('onStatus Publish.Start and Unpublish.Success', () => {
      expect(parseStatusCommand(decodeCommand(NGINX_PUBLISH_START)).status).toMatchObject({
        level: 'status',
        code: NetStatusCode.PublishStart,
        description: 'Start publishing',
      });
      expect(parseStatusCommand(decodeCommand(NGINX_UNPUBLISH_SUCCESS)).status.code).toBe(
        NetStatusCode.UnpublishSuccess,
      );
    });
  });

  describe('what our server builders send', () => {
    it('a connect rejection reads as an error with its description', () => {
      const result = parseConnectResult(
        decodeCommand(encodeConnectError({ transactionId: 1, description: 'bad key' })),
      );
      expect(result).toMatchObject({
        isError: true,
        properties: {},
        status: { level: 'error', code: NetStatusCode.ConnectRejected, description: 'bad key' },
      });
    });

    it('a connect result echoing objectEncoding 3', () => {
      expect(
        parseConnectResult(
          decodeCommand(encodeConnectResult({ transactionId: 1, objectEncoding: 3 })),
        ).objectEncoding,
      ).toBe(3);
    });

    it('onFCPublish has no level: it reads as "status"', () => {
      const command = parseStatusCommand(decodeCommand(encodeOnFCPublish('go')));
      expect(command).toMatchObject({
        name: 'onFCPublish',
        status: { level: 'status', code: 'NetStream.Publish.Start' },
      });
    });

    it('an empty _result has no status', () => {
      const result = parseResultCommand(decodeCommand(encodeEmptyResult(2)));
      expect(result).toEqual({
        transactionId: 2,
        isError: false,
        commandObject: null,
        info: undefined,
        args: [undefined],
        status: undefined,
      });
    });

    it('onBWDone', () => {
      expect(parseBandwidthDoneCommand(decodeCommand(encodeOnBWDone()))).toEqual({
        transactionId: 0,
        bandwidth: 8192,
      });
    });
  });

  describe('leniency', () => {
    const status = { level: 'error', code: 'NetStream.Publish.BadName', description: 'taken' };

    it('onStatus with the info in the command object position', () => {
      const command: RtmpCommand = {
        name: 'onStatus',
        transactionId: 0,
        commandObject: status,
        args: [],
      };
      expect(parseStatusCommand(command).status.code).toBe('NetStream.Publish.BadName');
    });

    it('_error with the info in the command object position', () => {
      const command: RtmpCommand = {
        name: '_error',
        transactionId: 1,
        commandObject: status,
        args: [],
      };
      expect(parseResultCommand(command).status?.description).toBe('taken');
    });

    it('createStream _result with the stream id in the command object position', () => {
      const command: RtmpCommand = {
        name: '_result',
        transactionId: 4,
        commandObject: 3,
        args: [],
      };
      expect(parseCreateStreamResult(command).streamId).toBe(3);
    });

    it('onBWDone without a figure', () => {
      const command: RtmpCommand = {
        name: 'onBWDone',
        transactionId: 0,
        commandObject: null,
        args: [],
      };
      expect(parseBandwidthDoneCommand(command).bandwidth).toBeUndefined();
    });
  });

  describe('errors', () => {
    it('onStatus without an info object is malformed', () => {
      expectRtmpError(
        () =>
          parseStatusCommand({
            name: 'onStatus',
            transactionId: 0,
            commandObject: null,
            args: ['x'],
          }),
        CommandMalformedError,
        RtmpErrorCode.CommandMalformed,
        false,
      );
    });

    it('onStatus whose info has no string code is malformed', () => {
      expectRtmpError(
        () =>
          parseStatusCommand({
            name: 'onStatus',
            transactionId: 0,
            commandObject: null,
            args: [{ level: 'status' }],
          }),
        CommandMalformedError,
        RtmpErrorCode.CommandMalformed,
        false,
      );
    });

    it('a createStream _error or a missing stream id is malformed', () => {
      expectRtmpError(
        () =>
          parseCreateStreamResult({
            name: '_error',
            transactionId: 4,
            commandObject: null,
            args: [1],
          }),
        CommandMalformedError,
        RtmpErrorCode.CommandMalformed,
        false,
      );
      expectRtmpError(
        () =>
          parseCreateStreamResult({
            name: '_result',
            transactionId: 4,
            commandObject: null,
            args: [],
          }),
        CommandMalformedError,
        RtmpErrorCode.CommandMalformed,
        false,
      );
    });

    it('parseResultCommand refuses anything but _result and _error', () => {
      expectRtmpError(
        () =>
          parseResultCommand({ name: 'onStatus', transactionId: 0, commandObject: null, args: [] }),
        CommandMalformedError,
        RtmpErrorCode.CommandMalformed,
        false,
      );
    });
  });
});
