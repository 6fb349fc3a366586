import { LiveStream, StreamEndReason } from './live-stream';
import { MediaPacket } from '../media/media-packet';
import { StreamRequest } from './stream-request';
import { RegisteredPublisher } from './stream-registry';

/** Where a local publish comes from, for the stream's `request` (and so for logs and events). */
export interface LocalPublishOrigin {
  /** What feeds it, e.g. the pulled URL with its key masked. Shown as the request's `tcUrl`. */
  readonly description: string;
  /** The remote host, when there is one. */
  readonly remoteAddress?: string;
  readonly remotePort?: number;
}

/** What a local publisher needs from the server that holds its stream. */
export interface LocalPublisherHost {
  now(): number;
  /** Frees the stream's key and forgets the publisher. */
  released(publisher: LocalPublisher): void;
}

/**
 * A publish made from inside the process rather than by a client connection: a stream pulled
 * from another server, or one an application generates. It holds its key in the server's
 * registry like a connection does, so players, `onStreamStart` listeners, packet subscribers
 * and relays see an ordinary live stream. No verifier is asked: the application opened it.
 */
export class LocalPublisher implements RegisteredPublisher {
  readonly liveStream: LiveStream;
  private lastMedia: number;

  constructor(
    readonly request: StreamRequest,
    stream: LiveStream,
    private readonly host: LocalPublisherHost,
  ) {
    this.liveStream = stream;
    this.lastMedia = host.now();
  }

  /** Monotonic time of the last packet, for the stale-publisher rule. */
  get lastMediaAt(): number {
    return this.lastMedia;
  }

  get ended(): boolean {
    return this.liveStream.ended !== undefined;
  }

  /**
   * Delivers one packet to the stream's listeners and players; ignored once ended. Its payload
   * must not be written to afterwards: players' sockets and the GOP cache may still hold it.
   */
  deliver(packet: MediaPacket): void {
    if (this.ended) return;
    if (packet.type !== 'metadata') this.lastMedia = this.host.now();
    this.liveStream.deliver(packet);
  }

  /** Ends the stream (players hear Play.UnpublishNotify, observables complete); once. */
  end(reason: Exclude<StreamEndReason, 'error' | 'kicked'> = 'unpublished'): void {
    if (this.ended) return;
    this.host.released(this);
    this.liveStream.end({ reason });
  }

  /** The application disconnected the stream (`RtmpServer.disconnect`). */
  kick(message: string): void {
    if (this.ended) return;
    this.host.released(this);
    this.liveStream.end({ reason: 'kicked', message });
  }

  /** Ends the stream with an error (subscribers of `packets()` get it). */
  fail(error: Error): void {
    if (this.ended) return;
    this.host.released(this);
    this.liveStream.end({ reason: 'error', error });
  }

  /** A newcomer took the key over after this publisher had been silent too long. */
  evict(): void {
    this.end('replaced');
  }
}
