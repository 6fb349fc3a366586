import { Logger } from '@nestjs/common';
import { StreamRequest, StreamVerdicts } from '../../../src';
import { DemoConfig } from './demo-config';
import { StreamKeysVerifier } from './stream-keys.verifier';

function request(action: StreamRequest['action'], streamName: string): StreamRequest {
  return {
    action,
    sessionId: 1,
    app: 'live',
    streamName,
    query: {},
    publishType: 'live',
    tcUrl: undefined,
    flashVer: undefined,
    connectObject: {},
    remoteAddress: '127.0.0.1',
    remotePort: 50_000,
  };
}

describe('StreamKeysVerifier', () => {
  const keys = ['secret-key-one', 'secret-key-two'];
  let logged: string[];
  let verifier: StreamKeysVerifier;

  beforeEach(() => {
    logged = [];
    for (const level of ['log', 'warn', 'error'] as const) {
      jest
        .spyOn(Logger.prototype, level)
        .mockImplementation((...args: unknown[]) => void logged.push(String(args[0])));
    }
    verifier = new StreamKeysVerifier(
      new DemoConfig({ RTMP_STREAM_KEYS: `${keys[0]}:alice,${keys[1]}` }),
    );
  });

  afterEach(() => jest.restoreAllMocks());

  it("accepts a publish with a configured key under that key's public name", () => {
    expect(verifier.verify(request('publish', keys[0]))).toEqual(
      StreamVerdicts.accept({ name: 'alice' }),
    );
    expect(verifier.verify(request('publish', keys[1]))).toEqual(
      StreamVerdicts.accept({ name: 'stream2' }),
    );
    expect(logged).toEqual([
      'accepted live/***(14) from 127.0.0.1 as live/alice',
      'accepted live/***(14) from 127.0.0.1 as live/stream2',
    ]);
  });

  it('refuses a publish with an unknown key, or with a public name', () => {
    expect(verifier.verify(request('publish', 'not-a-key'))).toEqual(
      StreamVerdicts.reject('Unknown stream key.'),
    );
    expect(verifier.verify(request('publish', 'alice'))).toEqual(
      StreamVerdicts.reject('Unknown stream key.'),
    );
  });

  it('accepts a play of a public name, and refuses a play of anything else, keys included', () => {
    expect(verifier.verify(request('play', 'alice'))).toEqual(StreamVerdicts.accept());
    expect(verifier.verify(request('play', 'stream2'))).toEqual(StreamVerdicts.accept());
    expect(verifier.verify(request('play', keys[0]))).toEqual(
      StreamVerdicts.reject('Unknown stream.'),
    );
    expect(logged).toEqual(['rejected play of live/***(14) from 127.0.0.1: unknown stream']);
  });

  it('never logs a key whole', () => {
    for (const action of ['publish', 'play'] as const) {
      for (const name of [...keys, 'unknown-key-xyz']) verifier.verify(request(action, name));
    }
    expect(logged.length).toBeGreaterThan(0);
    for (const key of [...keys, 'unknown-key-xyz']) {
      expect(logged.filter((line) => line.includes(key))).toEqual([]);
    }
  });
});
