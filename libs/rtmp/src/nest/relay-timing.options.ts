import { DEFAULT_RELAY_BACKOFF, RelayBackoff } from '../relay/retry-backoff';
import { MAX_TIMEOUT_MS } from '../server/rtmp-server.options';
import { numberFrom, shownValue } from '../common/option-values';

/** The relay and pull timing of RtmpModule's options, checked and with numbers as numbers. */
export interface RelayTiming {
  readonly backoff: Partial<RelayBackoff> | undefined;
  readonly stallTimeoutMs: number | undefined;
}

/** What each backoff field may be: the delays positive timeouts, the factors in range. */
const BACKOFF_RULES: Record<keyof RelayBackoff, readonly [(value: number) => boolean, string]> = {
  initialDelayMs: [
    (v) => v > 0 && v <= MAX_TIMEOUT_MS,
    `a number of milliseconds in 1..${MAX_TIMEOUT_MS}`,
  ],
  maxDelayMs: [
    (v) => v > 0 && v <= MAX_TIMEOUT_MS,
    `a number of milliseconds in 1..${MAX_TIMEOUT_MS}`,
  ],
  multiplier: [(v) => v >= 1 && Number.isFinite(v), 'a number of at least 1'],
  jitter: [(v) => v >= 0 && v <= 1, 'a number in 0..1'],
};

/**
 * Checks `relayBackoff` and `relayStallTimeoutMs` at startup, as the server's options are:
 * numbers may be strings (configuration gives strings), anything else that cannot work stops
 * the application with the option, the value and its type; unknown backoff fields too.
 */
export function resolveRelayTiming(options: {
  readonly relayBackoff?: unknown;
  readonly relayStallTimeoutMs?: unknown;
}): RelayTiming {
  const { relayBackoff, relayStallTimeoutMs } = options;
  let stallTimeoutMs: number | undefined;
  if (relayStallTimeoutMs !== undefined) {
    const value = numberFrom(relayStallTimeoutMs);
    if (typeof value !== 'number' || !(value >= 0 && value <= MAX_TIMEOUT_MS)) {
      throw new TypeError(
        `RtmpModule option relayStallTimeoutMs must be a number of milliseconds in 0..${MAX_TIMEOUT_MS} (0: off), got ${shownValue(relayStallTimeoutMs)}`,
      );
    }
    stallTimeoutMs = value;
  }
  if (relayBackoff === undefined) return { backoff: undefined, stallTimeoutMs };
  if (typeof relayBackoff !== 'object' || relayBackoff === null) {
    throw new TypeError(
      `RtmpModule option relayBackoff must be an object such as ${JSON.stringify(DEFAULT_RELAY_BACKOFF)}, got ${shownValue(relayBackoff)}`,
    );
  }
  const backoff: Partial<Record<keyof RelayBackoff, number>> = {};
  for (const [key, given] of Object.entries(relayBackoff)) {
    if (given === undefined) continue;
    const rule = BACKOFF_RULES[key as keyof RelayBackoff] as
      (typeof BACKOFF_RULES)[keyof RelayBackoff] | undefined;
    if (rule === undefined) {
      throw new TypeError(
        `unknown RtmpModule relayBackoff field ${key} (known: ${Object.keys(BACKOFF_RULES).join(', ')})`,
      );
    }
    const value = numberFrom(given);
    if (typeof value !== 'number' || !rule[0](value)) {
      throw new TypeError(
        `RtmpModule relayBackoff.${key} must be ${rule[1]}, got ${shownValue(given)}`,
      );
    }
    backoff[key as keyof RelayBackoff] = value;
  }
  return { backoff, stallTimeoutMs };
}
