import { resolveRelayTiming } from './relay-timing.options';

describe('resolveRelayTiming', () => {
  it('takes numbers as configuration gives them: strings', () => {
    expect(
      resolveRelayTiming({
        relayStallTimeoutMs: '0',
        relayBackoff: { initialDelayMs: '500', maxDelayMs: 10_000, multiplier: '1.5', jitter: '0' },
      }),
    ).toEqual({
      stallTimeoutMs: 0,
      backoff: { initialDelayMs: 500, maxDelayMs: 10_000, multiplier: 1.5, jitter: 0 },
    });
    expect(resolveRelayTiming({})).toEqual({ stallTimeoutMs: undefined, backoff: undefined });
  });

  it.each([
    [
      { relayStallTimeoutMs: 'ten seconds' },
      'RtmpModule option relayStallTimeoutMs must be a number of milliseconds in 0..2147483647 (0: off), got "ten seconds" (string)',
    ],
    [
      { relayStallTimeoutMs: -1 },
      'RtmpModule option relayStallTimeoutMs must be a number of milliseconds in 0..2147483647 (0: off), got -1 (number)',
    ],
    [
      { relayBackoff: { jitter: 2 } },
      'RtmpModule relayBackoff.jitter must be a number in 0..1, got 2 (number)',
    ],
    [
      { relayBackoff: { initialDelay: 1000 } },
      'unknown RtmpModule relayBackoff field initialDelay (known: initialDelayMs, maxDelayMs, multiplier, jitter)',
    ],
    [
      { relayBackoff: 'fast' },
      'RtmpModule option relayBackoff must be an object such as {"initialDelayMs":1000,"maxDelayMs":30000,"multiplier":2,"jitter":0.2}, got "fast" (string)',
    ],
  ])('refuses %p, saying what is wrong', (options, message) => {
    expect(() => resolveRelayTiming(options)).toThrow(new TypeError(message));
  });
});
