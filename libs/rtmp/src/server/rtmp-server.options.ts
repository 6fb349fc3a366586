import { DEFAULT_PROTOCOL_LIMITS, ProtocolLimits } from '../protocol/limits';
import { MAX_TIMEOUT_MS, numberFrom, shownValue } from '../common/option-values';
import { assertKnownOptions } from './option-names';

/**
 * Everything an RTMP server can be told. Every limit has a default that real encoders never
 * hit; a peer that goes past one loses its own connection, nothing else.
 */
export interface RtmpServerOptions extends ProtocolLimits {
  /** TCP port to listen on; 0 picks a free one (read it back from `address()`). */
  readonly port: number;
  /** Interface to bind; undefined binds every interface. */
  readonly host?: string;
  /** Apps the server serves (the path before the stream key); undefined serves any app. */
  readonly apps?: readonly string[];

  /** Time a client has to finish the handshake after connecting. */
  readonly handshakeTimeoutMs: number;
  /** Time from the end of the handshake to a `publish` (or `play`) command. */
  readonly connectToPublishTimeoutMs: number;
  /** A publisher that sends no media for this long is closed. */
  readonly idleMediaTimeoutMs: number;
  /** Time the stream-key verifier has to decide; past it the publish is rejected. */
  readonly verifierTimeoutMs: number;
  /**
   * A second publisher of a live stream replaces the first only when the first has sent
   * nothing for this long (the stale publisher left behind by a dropped network); otherwise
   * the newcomer is rejected as BadName.
   */
  readonly stalePublisherTimeoutMs: number;

  /**
   * Most connections open at once. When the server is full, a new connection displaces the
   * oldest one that has made the least progress and is not yet accepted (still in the
   * handshake, then before connect, then before publish or play; never one waiting for its
   * verdict, publishing or playing), so peers that connect and stall cannot lock publishers
   * out. With nothing to displace, the new connection is closed as soon as it is accepted.
   */
  readonly maxConnections: number;
  /** Most connections open at once from one remote address. */
  readonly maxConnectionsPerAddress: number;
  /** Most bytes queued for one slow consumer before its queue drops to the next keyframe. */
  readonly maxQueuedBytesPerConsumer: number;
  /**
   * Largest message a connection that is not yet publishing or playing (it has not presented a
   * key the verifier accepted) may announce; the full `maxMessageSize` applies once it is
   * accepted. Its media and data are read past unbuffered meanwhile (they would be dropped).
   */
  readonly maxMessageSizeBeforeAccept: number;
  /**
   * Most bytes a connection that is not yet publishing or playing may hold in unfinished
   * messages, which before accept are only commands and control messages (a few hundred bytes
   * each from real encoders); `maxPendingMessageBytes` applies once it is accepted.
   */
  readonly maxPendingMessageBytesBeforeAccept: number;
  /**
   * Most commands a connection may send before it is accepted: encoders send about five
   * (connect, releaseStream, FCPublish, createStream, publish). Each provokes replies, so a peer
   * that sends them without end is closed rather than answered.
   */
  readonly maxCommandsBeforeAccept: number;
  /**
   * Most bytes held in unfinished messages over all connections together. Past it the
   * connection holding the most is closed (one not yet accepted first), then the next, until
   * the bytes asked for fit; a connection that is itself the largest holder is refused.
   */
  readonly maxPendingMessageBytesTotal: number;
  /** Most streams (createStream) one connection may have open; encoders use one. */
  readonly maxStreamsPerConnection: number;

  /**
   * Chunk size the server sends with, announced right after connect. FFmpeg publishers answer
   * with the same size and then send with it, so it sets how many chunks an FFmpeg ingest costs.
   * 60000 by default, as SRS (node-media-server announces 65535): an FFmpeg ingest then costs
   * less server CPU than with nginx-rtmp's 4096 (measured in bench/profile-notes.md), because a
   * frame comes in one or two chunks instead of up to twenty. Players (FFmpeg,
   * librtmp, OBS's reader) take any size; OBS publishes with its own 4096 whatever this is.
   */
  readonly outChunkSize: number;
  /** Window announced with WindowAcknowledgementSize and SetPeerBandwidth. */
  readonly windowAckSize: number;

  /**
   * Keep each live stream's current GOP (from its last video keyframe) so a player that joins
   * starts at once with a decodable picture. On by default.
   */
  readonly gopCache: boolean;
  /** Most messages in one GOP cache; a longer GOP is not cached (players wait for a keyframe). */
  readonly gopCacheMaxFrames: number;
  /** Most payload bytes in one GOP cache; past it the GOP is not cached. */
  readonly gopCacheMaxBytes: number;
  /**
   * A player of a stream that is not live waits for its publisher, and stays connected when the
   * publisher leaves (Play.UnpublishNotify, then Play.PublishNotify when one comes back): on by
   * default, like nginx-rtmp's `idle_streams on`. Off: such a player gets
   * NetStream.Play.StreamNotFound and is closed, and players are closed after
   * Play.UnpublishNotify when the publisher leaves (nginx-rtmp's `idle_streams off`). The
   * verifier decides first either way, so an unauthorized player never learns whether a stream
   * is live.
   */
  readonly playersWaitForPublisher: boolean;
  /**
   * TCP_NODELAY while a connection plays. On by default: each message leaves as it is
   * written. Off, the kernel coalesces a player's small messages (audio frames, every ~20 ms)
   * into fewer segments, which saves some of the server's CPU with many players (about a tenth
   * with 200 in the fan-out bench), at the price of delay when little is in flight: Nagle's
   * algorithm may hold a small message until the player acknowledges the previous one, which a
   * delayed ACK can postpone (about 40 ms on Linux, up to about 200 ms elsewhere); that is what
   * put the publisher-to-player p99 past 3 ms in the bench. For many players,
   * `playerWriteMergeMs` saves far more CPU, for a delay you choose. The handshake and the
   * replies up to Play.Start always go out at once.
   */
  readonly playersNoDelay: boolean;
  /**
   * Milliseconds a player's media may wait to be written together with the messages that
   * follow it: each player then gets one write (one syscall) per interval instead of one per
   * message, which is most of a server's CPU with many players, for up to that much more
   * latency (SRS's merged write). 0, the default, writes every message at once; at most
   * {@link MAX_PLAYER_WRITE_MERGE_MS}. Replies and the media a player is sent as it joins are
   * never held back.
   */
  readonly playerWriteMergeMs: number;
}

/** The most `playerWriteMergeMs` may be: past this a player's buffer is what it waits for. */
export const MAX_PLAYER_WRITE_MERGE_MS = 1_000;

export const DEFAULT_RTMP_SERVER_OPTIONS: RtmpServerOptions = {
  ...DEFAULT_PROTOCOL_LIMITS,
  port: 1935,
  handshakeTimeoutMs: 10_000,
  connectToPublishTimeoutMs: 30_000,
  idleMediaTimeoutMs: 30_000,
  verifierTimeoutMs: 5_000,
  stalePublisherTimeoutMs: 5_000,
  maxConnections: 1_000,
  maxConnectionsPerAddress: 100,
  maxQueuedBytesPerConsumer: 8 * 1024 * 1024,
  maxMessageSizeBeforeAccept: 1024 * 1024,
  maxPendingMessageBytesBeforeAccept: 64 * 1024,
  maxCommandsBeforeAccept: 32,
  maxPendingMessageBytesTotal: 256 * 1024 * 1024,
  maxStreamsPerConnection: 8,
  outChunkSize: 60_000,
  windowAckSize: 2_500_000,
  gopCache: true,
  gopCacheMaxFrames: 2_048,
  gopCacheMaxBytes: 32 * 1024 * 1024,
  playersWaitForPublisher: true,
  playersNoDelay: true,
  playerWriteMergeMs: 0,
};

export { MAX_TIMEOUT_MS } from '../common/option-values';

type NumericOption = {
  [K in keyof RtmpServerOptions]-?: RtmpServerOptions[K] extends number ? K : never;
}[keyof RtmpServerOptions];

/** Timeouts: positive, at most {@link MAX_TIMEOUT_MS}. */
const TIMEOUT_OPTIONS: readonly NumericOption[] = [
  'handshakeTimeoutMs',
  'connectToPublishTimeoutMs',
  'idleMediaTimeoutMs',
  'verifierTimeoutMs',
  'stalePublisherTimeoutMs',
];

/** Counts and sizes: positive integers, some capped by the field that carries them. */
const COUNT_OPTIONS: readonly (readonly [NumericOption, number])[] = [
  ['maxConnections', Number.MAX_SAFE_INTEGER],
  ['maxConnectionsPerAddress', Number.MAX_SAFE_INTEGER],
  ['maxQueuedBytesPerConsumer', Number.MAX_SAFE_INTEGER],
  ['maxMessageSizeBeforeAccept', Number.MAX_SAFE_INTEGER],
  ['maxPendingMessageBytesBeforeAccept', Number.MAX_SAFE_INTEGER],
  ['maxCommandsBeforeAccept', Number.MAX_SAFE_INTEGER],
  ['maxPendingMessageBytesTotal', Number.MAX_SAFE_INTEGER],
  ['maxStreamsPerConnection', Number.MAX_SAFE_INTEGER],
  // SetChunkSize carries 31 bits; WindowAcknowledgementSize 32.
  ['outChunkSize', 0x7fffffff],
  ['windowAckSize', 0xffffffff],
  ['maxMessageSize', Number.MAX_SAFE_INTEGER],
  ['maxChunkSize', Number.MAX_SAFE_INTEGER],
  ['maxChunkStreams', Number.MAX_SAFE_INTEGER],
  ['maxPendingMessageBytes', Number.MAX_SAFE_INTEGER],
  ['maxAbandonedMessages', Number.MAX_SAFE_INTEGER],
  ['maxAmfDepth', Number.MAX_SAFE_INTEGER],
  ['maxAmfEntries', Number.MAX_SAFE_INTEGER],
  ['gopCacheMaxFrames', Number.MAX_SAFE_INTEGER],
  ['gopCacheMaxBytes', Number.MAX_SAFE_INTEGER],
];

/** On/off options: booleans, or "true"/"false" as configuration gives them. */
const SWITCH_OPTIONS = ['gopCache', 'playersWaitForPublisher', 'playersNoDelay'] as const;

/** Every option a server reads: anything else is refused, with the nearest of these named. */
export const RTMP_SERVER_OPTION_NAMES: ReadonlySet<string> = new Set([
  ...Object.keys(DEFAULT_RTMP_SERVER_OPTIONS),
  'host',
  'apps',
]);

/**
 * Fills in defaults and refuses values that cannot work, naming the option, the value and its
 * type: a bad value fails here, at startup, rather than in every session (a fractional
 * `outChunkSize` would fail each connect; a timeout past {@link MAX_TIMEOUT_MS} would fire at
 * once). Numbers and switches may come as strings ("1935", "false"), as configuration gives
 * them; unknown keys are refused, naming the nearest known one.
 */
export function resolveRtmpServerOptions(
  options: Partial<RtmpServerOptions> = {},
): RtmpServerOptions {
  assertKnownOptions(options, RTMP_SERVER_OPTION_NAMES, 'RTMP server');
  const resolved: RtmpServerOptions = { ...DEFAULT_RTMP_SERVER_OPTIONS };
  const fields = resolved as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) fields[key] = value;
  }
  for (const key of TIMEOUT_OPTIONS) {
    const value = numberFrom(resolved[key]);
    if (typeof value !== 'number' || !(value > 0 && value <= MAX_TIMEOUT_MS)) {
      throw new TypeError(
        `RTMP server option ${key} must be a number of milliseconds in 1..${MAX_TIMEOUT_MS}, got ${shownValue(resolved[key])}`,
      );
    }
    fields[key] = value;
  }
  for (const [key, max] of COUNT_OPTIONS) {
    const value = numberFrom(resolved[key]);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
      throw new TypeError(
        `RTMP server option ${key} must be an integer in 1..${max}, got ${shownValue(resolved[key])}`,
      );
    }
    fields[key] = value;
  }
  const port = numberFrom(resolved.port);
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TypeError(
      `RTMP server option port must be an integer in 0..65535, got ${shownValue(resolved.port)}`,
    );
  }
  fields.port = port;
  const merge = numberFrom(resolved.playerWriteMergeMs);
  if (
    typeof merge !== 'number' ||
    !Number.isInteger(merge) ||
    merge < 0 ||
    merge > MAX_PLAYER_WRITE_MERGE_MS
  ) {
    throw new TypeError(
      `RTMP server option playerWriteMergeMs must be an integer in 0..${MAX_PLAYER_WRITE_MERGE_MS}, got ${shownValue(resolved.playerWriteMergeMs)}`,
    );
  }
  fields.playerWriteMergeMs = merge;
  for (const key of SWITCH_OPTIONS) {
    const value: unknown = resolved[key];
    if (value === 'true' || value === 'false') fields[key] = value === 'true';
    else if (typeof value !== 'boolean') {
      throw new TypeError(
        `RTMP server option ${key} must be true or false, got ${shownValue(value)}`,
      );
    }
  }
  if (
    resolved.apps !== undefined &&
    (!Array.isArray(resolved.apps) || !resolved.apps.every((app) => typeof app === 'string'))
  ) {
    throw new TypeError(`RTMP server option apps must be an array of strings`);
  }
  return resolved;
}
