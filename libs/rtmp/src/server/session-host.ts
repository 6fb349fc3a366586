import { ChunkReaderLimits, ChunkReaderPolicy } from '../protocol/chunk/chunk-reader';
import { MessageType } from '../protocol/message/message-type';
import { Admission } from './admission';
import { LiveStream } from './live-stream';
import { MergedWrites } from './merged-writes';
import type { SessionLifecycle } from './session-lifecycle';
import { RtmpLogger } from './rtmp-logger';
import { RtmpServerOptions } from './rtmp-server.options';
import { PlayEnd, StreamPlayer } from './stream-player';

/** Where a session stands; each state accepts only the commands that make sense in it. */
export type SessionState =
  | 'handshake'
  | 'connecting'
  | 'connected'
  | 'verifying'
  | 'publishing'
  | 'playing'
  | 'closing'
  | 'closed';

/** What a session needs from its server. */
export interface SessionHost {
  readonly options: RtmpServerOptions;
  readonly logger: RtmpLogger;
  /** Decides publishes and plays: the verifier, the key, the stream (see Admission). */
  readonly admission: Admission;
  releaseStream(session: SessionLifecycle, stream: LiveStream): void;
  removePlayer(player: StreamPlayer, end: PlayEnd): void;
  sessionClosed(session: SessionLifecycle): void;
  /** Reserves bytes of unfinished messages in the server-wide budget; throws to refuse. */
  reserveMessageBytes(session: SessionLifecycle, bytes: number): void;
  releaseMessageBytes(bytes: number): void;
  now(): number;
  /** Where players' media wait to be written together; undefined when each goes at once. */
  readonly mergedWrites: MergedWrites | undefined;
}

/**
 * Most bytes of replies (command results, statuses, ping responses, acknowledgements) a peer may
 * leave waiting in the socket's user-space buffer, which fills only once the kernel's buffers
 * (megabytes) are full: a peer that lets that happen is not reading, and each further reply
 * would stay in memory (with Node's per-write overhead, many times its size), so the peer is
 * disconnected instead. Every write to the peer is checked against it (see `send`).
 */
const MAX_UNREAD_REPLY_BYTES = 64 * 1024;
/**
 * Message types a connection not yet accepted sends that the session would drop anyway (media
 * and data are taken only while publishing): read past unbuffered, so that holding them costs
 * nothing. Commands and control messages are read.
 */
const SKIPPED_BEFORE_ACCEPT: ReadonlySet<number> = new Set([
  MessageType.Audio,
  MessageType.Video,
  MessageType.DataAmf0,
  MessageType.DataAmf3,
  MessageType.Aggregate,
  MessageType.SharedObjectAmf0,
  MessageType.SharedObjectAmf3,
]);
export const BEFORE_ACCEPT_READER_POLICY: ChunkReaderPolicy = {
  skipMessageTypes: SKIPPED_BEFORE_ACCEPT,
};
/** An accepted peer has presented a key: its messages are read, buffers sized as announced. */
export const ACCEPTED_READER_POLICY: ChunkReaderPolicy = { allocateAnnouncedSize: true };

/**
 * The reader's limits until the verifier accepts a publish or play: the peer has shown no key,
 * so it gets the small limits, and its messages grow with what it sends rather than what it
 * announces.
 */
export function limitsBeforeAccept(options: RtmpServerOptions): Partial<ChunkReaderLimits> {
  return {
    maxMessageSize: Math.min(options.maxMessageSize, options.maxMessageSizeBeforeAccept),
    maxChunkSize: options.maxChunkSize,
    maxChunkStreams: options.maxChunkStreams,
    maxPendingMessageBytes: Math.min(
      options.maxPendingMessageBytes,
      options.maxPendingMessageBytesBeforeAccept,
    ),
    maxAbandonedMessages: options.maxAbandonedMessages,
  };
}

/**
 * Most bytes a peer may leave unread. A player's socket also holds its media, which
 * StreamPlayer bounds on its own (queue limit plus the message that crossed it): only what goes
 * beyond that counts as unread replies.
 */
export function unreadAllowance(options: RtmpServerOptions, playing: boolean): number {
  if (!playing) return MAX_UNREAD_REPLY_BYTES;
  return MAX_UNREAD_REPLY_BYTES + options.maxQueuedBytesPerConsumer + options.maxMessageSize;
}
