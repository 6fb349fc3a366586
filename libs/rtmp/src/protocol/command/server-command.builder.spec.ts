import { hex, utf8Hex } from '../amf/testing/hex';
import { decodeCommand } from './command.decoder';
import { NetStatusCode } from './net-status-code';
import {
  encodeConnectError,
  encodeConnectResult,
  encodeCreateStreamResult,
  encodeEmptyResult,
  encodeError,
  encodeOnBWDone,
  encodeOnFCPublish,
  encodeOnFCUnpublish,
  encodeOnStatus,
  encodeReconnectRequest,
  encodeResult,
} from './server-command.builder';
import {
  NGINX_CONNECT_RESULT,
  NGINX_CREATE_STREAM_RESULT,
  NGINX_PUBLISH_START,
  NGINX_UNPUBLISH_SUCCESS,
} from './testing/obs-capture.fixtures';

describe('server command builders', () => {
  describe('byte for byte what nginx-rtmp sends', () => {
    it('connect _result with the default properties and objectEncoding 0', () => {
      expect(encodeConnectResult({ transactionId: 1 }).toString('hex')).toBe(
        NGINX_CONNECT_RESULT.toString('hex'),
      );
    });

    it('createStream _result(4, null, 1)', () => {
      expect(encodeCreateStreamResult(4, 1).toString('hex')).toBe(
        NGINX_CREATE_STREAM_RESULT.toString('hex'),
      );
    });

    it('onStatus NetStream.Publish.Start', () => {
      const payload = encodeOnStatus({
        level: 'status',
        code: NetStatusCode.PublishStart,
        description: 'Start publishing',
      });
      expect(payload.toString('hex')).toBe(NGINX_PUBLISH_START.toString('hex'));
    });

    it('onStatus NetStream.Unpublish.Success', () => {
      const payload = encodeOnStatus({
        level: 'status',
        code: NetStatusCode.UnpublishSuccess,
        description: 'Stop publishing',
      });
      expect(payload.equals(NGINX_UNPUBLISH_SUCCESS)).toBe(true);
    });
  });

  describe('connect', () => {
    it('echoes objectEncoding and merges extra properties over the defaults', () => {
      const command = decodeCommand(
        encodeConnectResult({
          transactionId: 1,
          objectEncoding: 3,
          description: 'ok',
          properties: { capsEx: 1, fmsVer: 'FMS/5,0,0,0' },
          info: { data: 'x' },
        }),
      );
      expect(command.commandObject).toEqual({ fmsVer: 'FMS/5,0,0,0', capabilities: 31, capsEx: 1 });
      expect(command.args).toEqual([
        {
          level: 'status',
          code: 'NetConnection.Connect.Success',
          description: 'ok',
          objectEncoding: 3,
          data: 'x',
        },
      ]);
    });

    it('rejects with _error(txn, null, {level, code, description}): third value null', () => {
      const payload = encodeConnectError({ transactionId: 1, description: 'no' });
      expect(payload.toString('hex')).toBe(
        hex(
          '02 0006',
          utf8Hex('_error'),
          '00 3ff0000000000000',
          '05', // the command object: null, so FFmpeg reads the description
          '03',
          '0005',
          utf8Hex('level'),
          '02 0005',
          utf8Hex('error'),
          '0004',
          utf8Hex('code'),
          '02 001e',
          utf8Hex('NetConnection.Connect.Rejected'),
          '000b',
          utf8Hex('description'),
          '02 0002',
          utf8Hex('no'),
          '0000 09',
        ).toString('hex'),
      );
    });

    it('rejects with another code when asked', () => {
      const command = decodeCommand(
        encodeConnectError({
          transactionId: 1,
          description: 'x',
          code: NetStatusCode.ConnectInvalidApp,
        }),
      );
      expect(command.args[0]).toMatchObject({
        code: 'NetConnection.Connect.InvalidApp',
        level: 'error',
      });
    });
  });

  describe('publish replies', () => {
    it('_result(txn, null, undefined) for releaseStream and FCPublish', () => {
      expect(encodeEmptyResult(2).toString('hex')).toBe(
        hex('02 0007', utf8Hex('_result'), '00 4000000000000000 05 06').toString('hex'),
      );
    });

    it('onFCPublish(0, null, {code, description})', () => {
      expect(decodeCommand(encodeOnFCPublish('obs is now published'))).toEqual({
        name: 'onFCPublish',
        transactionId: 0,
        commandObject: null,
        args: [{ code: 'NetStream.Publish.Start', description: 'obs is now published' }],
      });
    });

    it('onFCUnpublish(0, null, {code, description})', () => {
      expect(decodeCommand(encodeOnFCUnpublish('done')).args).toEqual([
        { code: 'NetStream.Unpublish.Success', description: 'done' },
      ]);
    });

    it('onStatus keeps details after level, code and description, and drops undefined ones', () => {
      const command = decodeCommand(
        encodeOnStatus({
          level: 'error',
          code: NetStatusCode.PublishBadName,
          description: 'Already publishing',
          details: 'obs',
          clientid: undefined,
        }),
      );
      expect(Object.keys(command.args[0] as object)).toEqual([
        'level',
        'code',
        'description',
        'details',
      ]);
    });
  });

  describe('other messages', () => {
    it('onBWDone(0, null, 8192)', () => {
      expect(encodeOnBWDone().toString('hex')).toBe(
        hex('02 0008', utf8Hex('onBWDone'), '00 0000000000000000 05 00 40c0000000000000').toString(
          'hex',
        ),
      );
    });

    it('E-RTMP reconnect request on onStatus, tcUrl only when given', () => {
      expect(decodeCommand(encodeReconnectRequest()).args).toEqual([
        { level: 'status', code: 'NetConnection.Connect.ReconnectRequest' },
      ]);
      expect(
        decodeCommand(encodeReconnectRequest({ description: 'move', tcUrl: 'rtmp://other/live' }))
          .args,
      ).toEqual([
        {
          level: 'status',
          code: 'NetConnection.Connect.ReconnectRequest',
          description: 'move',
          tcUrl: 'rtmp://other/live',
        },
      ]);
    });

    it('generic _result and _error', () => {
      expect(decodeCommand(encodeResult(3, { a: 1 }, 'x', 2))).toEqual({
        name: '_result',
        transactionId: 3,
        commandObject: { a: 1 },
        args: ['x', 2],
      });
      expect(decodeCommand(encodeError(3, null)).name).toBe('_error');
    });
  });
});
