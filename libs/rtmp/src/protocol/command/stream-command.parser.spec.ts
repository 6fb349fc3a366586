import { expectRtmpError } from '../amf/testing/expect-rtmp-error';
import { RtmpErrorCode } from '../errors/rtmp-error-code';
import { encodePlay } from './client-command.builder';
import { CommandMalformedError } from './command-malformed.error';
import { decodeCommand } from './command.decoder';
import { RtmpCommand } from './rtmp-command';
import {
  parseCloseStreamCommand,
  parseCreateStreamCommand,
  parseDeleteStreamCommand,
  parseFCPublishCommand,
  parseFCUnpublishCommand,
  parsePlayCommand,
  parsePublishCommand,
  parseReleaseStreamCommand,
} from './stream-command.parser';
import {
  OBS_CREATE_STREAM,
  OBS_DELETE_STREAM,
  OBS_FC_PUBLISH,
  OBS_FC_UNPUBLISH,
  OBS_PUBLISH,
  OBS_RELEASE_STREAM,
} from './testing/obs-capture.fixtures';

function command(name: string, ...args: RtmpCommand['args']): RtmpCommand {
  return { name, transactionId: 9, commandObject: null, args };
}

describe('stream command parsers', () => {
  describe('the commands OBS sent (real capture)', () => {
    it('releaseStream, FCPublish, createStream', () => {
      expect(parseReleaseStreamCommand(decodeCommand(OBS_RELEASE_STREAM))).toEqual({
        transactionId: 2,
        streamName: 'obs',
      });
      expect(parseFCPublishCommand(decodeCommand(OBS_FC_PUBLISH))).toEqual({
        transactionId: 3,
        streamName: 'obs',
      });
      expect(parseCreateStreamCommand(decodeCommand(OBS_CREATE_STREAM))).toEqual({
        transactionId: 4,
      });
    });

    it('publish(5, null, "obs", "live")', () => {
      expect(parsePublishCommand(decodeCommand(OBS_PUBLISH))).toEqual({
        transactionId: 5,
        streamName: 'obs',
        publishType: 'live',
      });
    });

    it('FCUnpublish and deleteStream at the end', () => {
      expect(parseFCUnpublishCommand(decodeCommand(OBS_FC_UNPUBLISH))).toEqual({
        transactionId: 6,
        streamName: 'obs',
      });
      expect(parseDeleteStreamCommand(decodeCommand(OBS_DELETE_STREAM))).toEqual({
        transactionId: 7,
        streamId: 1,
      });
    });
  });

  describe('defaults and leniency', () => {
    it('publish type defaults to "live"', () => {
      expect(parsePublishCommand(command('publish', 'key')).publishType).toBe('live');
      expect(parsePublishCommand(command('publish', 'key', 'record')).publishType).toBe('record');
    });

    it('publish keeps a stream name with a query as sent', () => {
      expect(parsePublishCommand(command('publish', 'key?token=1')).streamName).toBe('key?token=1');
    });

    it('releaseStream, FCPublish and FCUnpublish without a name read it as ""', () => {
      expect(parseReleaseStreamCommand(command('releaseStream')).streamName).toBe('');
      expect(parseFCPublishCommand(command('FCPublish', 5)).streamName).toBe('');
      expect(parseFCUnpublishCommand(command('FCUnpublish', null)).streamName).toBe('');
    });

    it('play: start -2, duration -1, reset true by default', () => {
      expect(parsePlayCommand(command('play', 'cam'))).toEqual({
        transactionId: 9,
        streamName: 'cam',
        start: -2,
        duration: -1,
        reset: true,
      });
    });

    it('play as FFmpeg sends it (start -1000 for live)', () => {
      expect(parsePlayCommand(decodeCommand(encodePlay(5, 'cam', { start: -1000 })))).toMatchObject(
        {
          start: -1000,
          duration: -1,
        },
      );
    });

    it('play reset may be a boolean or a number', () => {
      expect(parsePlayCommand(command('play', 'cam', 0, 5, false)).reset).toBe(false);
      expect(parsePlayCommand(command('play', 'cam', 0, 5, 0)).reset).toBe(false);
      expect(parsePlayCommand(command('play', 'cam', 0, 5, 2)).reset).toBe(true);
    });

    it('closeStream carries only its transaction id', () => {
      expect(parseCloseStreamCommand(command('closeStream'))).toEqual({ transactionId: 9 });
    });
  });

  describe('errors', () => {
    it('publish without a string stream name is malformed', () => {
      expectRtmpError(
        () => parsePublishCommand(command('publish')),
        CommandMalformedError,
        RtmpErrorCode.CommandMalformed,
        false,
      );
      expectRtmpError(
        () => parsePublishCommand(command('publish', 12)),
        CommandMalformedError,
        RtmpErrorCode.CommandMalformed,
        false,
      );
    });

    it('play without a string stream name is malformed', () => {
      expectRtmpError(
        () => parsePlayCommand(command('play')),
        CommandMalformedError,
        RtmpErrorCode.CommandMalformed,
        false,
      );
    });

    it('deleteStream takes any arguments: a numeric string is read, anything else means every stream', () => {
      expect(parseDeleteStreamCommand(command('deleteStream', '1')).streamId).toBe(1);
      expect(parseDeleteStreamCommand(command('deleteStream', 'live-key')).streamId).toBe(
        undefined,
      );
      expect(parseDeleteStreamCommand(command('deleteStream')).streamId).toBe(undefined);
      expect(parseDeleteStreamCommand(command('deleteStream', null)).streamId).toBe(undefined);
    });

    it('a parser handed another command refuses it', () => {
      const error = expectRtmpError(
        () => parsePublishCommand(command('play', 'cam')),
        CommandMalformedError,
        RtmpErrorCode.CommandMalformed,
        false,
      );
      expect(error.context).toMatchObject({ name: 'play' });
    });
  });
});
