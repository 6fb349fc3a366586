import { CommandMalformedError } from './command-malformed.error';
import { readClientCommand } from './client-command.reader';
import { RtmpCommand } from './rtmp-command';

function command(
  name: string,
  args: RtmpCommand['args'] = [],
  commandObject: RtmpCommand['commandObject'] = null,
): RtmpCommand {
  return { name, transactionId: 4, commandObject, args };
}

describe('readClientCommand', () => {
  it.each([
    [
      command('publish', ['key?token=1', 'live']),
      { kind: 'publish', transactionId: 4, streamName: 'key?token=1', publishType: 'live' },
    ],
    [
      command('play', ['key', -2000]),
      { kind: 'play', streamName: 'key', start: -2000, duration: -1, reset: true },
    ],
    [command('deleteStream', ['1']), { kind: 'deleteStream', streamId: 1 }],
    [command('deleteStream', [true]), { kind: 'deleteStream', streamId: undefined }],
    [command('FCPublish', ['key']), { kind: 'FCPublish', streamName: 'key' }],
    [command('releaseStream', []), { kind: 'releaseStream', streamName: '' }],
    [command('FCUnpublish', ['key']), { kind: 'FCUnpublish', streamName: 'key' }],
    [command('createStream'), { kind: 'createStream', transactionId: 4 }],
    [command('closeStream'), { kind: 'closeStream', transactionId: 4 }],
    [
      command('connect', [], { app: 'live', tcUrl: 'rtmp://h/live' }),
      { kind: 'connect', app: 'live', tcUrl: 'rtmp://h/live', objectEncoding: 0 },
    ],
    [command('_checkbw'), { kind: 'other', name: '_checkbw', transactionId: 4 }],
  ])('reads %p by its name', (given, expected) => {
    expect(readClientCommand(given)).toMatchObject(expected);
  });

  it('throws the typed error of a malformed command', () => {
    expect(() => readClientCommand(command('publish', [42]))).toThrow(CommandMalformedError);
    expect(() => readClientCommand(command('connect', [], null))).toThrow(CommandMalformedError);
  });
});
