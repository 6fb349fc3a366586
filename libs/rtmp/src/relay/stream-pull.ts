import { RtmpError } from '../protocol/errors/rtmp-error';
import { RtmpErrorCode } from '../protocol/errors/rtmp-error-code';
import { NetStatusCode } from '../protocol/command/net-status-code';
import { copyPacket } from '../media/copy-packet';
import { KeyframeGate } from '../media/keyframe-gate';
import { StreamEndReason } from '../media/stream-end';
import { isConfigurationPacket, MediaPacket } from '../media/media-packet';
import { ClientLink } from './client-link';
import { RelayBackoff } from './retry-backoff';
import { RtmpPlayClient, RtmpPlayClientOptions } from '../client/rtmp-play-client';
import { describeRtmpUrl, parseRtmpUrl, RtmpUrl } from '../client/rtmp-url';
import type { RelayStatus } from './relay-status';

/** Where a pulled stream comes from, as the target shows it (logs, the stream's request). */
export interface PullOrigin {
  readonly description: string;
  readonly remoteAddress?: string;
  readonly remotePort?: number;
}

/** The stream a pull opened on its target: RtmpServer's LocalPublisher fits. */
export interface PulledStream {
  readonly ended: boolean;
  /** Delivers one packet; its payload must not be written to afterwards. */
  deliver(packet: MediaPacket): void;
  end(reason?: Exclude<StreamEndReason, 'error' | 'kicked'>): void;
}

/**
 * Where a pull publishes what it plays: an RtmpServer fits. Throws an RtmpError when it refuses
 * (`RTMP_ERR_LOCAL_PUBLISH_BUSY`: the key is held; `_CLOSED`: it is closing).
 */
export interface PullTarget {
  publishLocal(app: string, name: string, origin: PullOrigin): PulledStream;
  /** Called when the target closes; the pull then stops. Returns the unsubscribe function. */
  onClose?(listener: () => void): () => void;
}

export interface PullCounters {
  /** Payload bytes received from the source and published locally. */
  bytes: number;
  /** Audio and video messages published locally. */
  frames: number;
  /** Connections made after the first. */
  reconnects: number;
  /** Local publishes opened: one per publish of the source while the pull runs. */
  publishes: number;
  /** Media messages not published: the local key was held by another publisher. */
  droppedFrames: number;
}

export interface StreamPullOptions extends Omit<RtmpPlayClientOptions, 'url'> {
  readonly backoff?: Partial<RelayBackoff>;
  /** For tests: the random source for jitter, in [0, 1). */
  readonly random?: () => number;
  /** Told when the local key is held by someone else (once per refusal streak). */
  readonly onBusy?: (error: RtmpError) => void;
}

/**
 * Pulls a stream from another RTMP(S) server (an origin: ours, nginx-rtmp, SRS...) and
 * publishes it locally as `app/name`, so local players, packet subscribers and push relays get
 * it like any ingested stream (nginx-rtmp's `pull`). Each publish of the source becomes one
 * local stream: it starts with the source's first packet and ends, as `unpublished`, when the
 * source's publisher leaves (StreamEOF or Play.UnpublishNotify), or as `disconnected` when the connection
 * drops; then the pull reconnects with exponential backoff and jitter. Stops on `stop()`, or
 * by itself when the target closes (`onClose`, which RtmpServer has).
 */
export class StreamPull {
  readonly counters: PullCounters = {
    bytes: 0,
    frames: 0,
    reconnects: 0,
    publishes: 0,
    droppedFrames: 0,
  };
  /** The source URL with its stream name masked. */
  readonly source: string;
  private readonly parsedUrl: RtmpUrl;
  private readonly link: ClientLink<RtmpPlayClient>;
  private publisher: PulledStream | undefined;
  /** The source's latest metadata and sequence headers, to open a local publish mid-stream. */
  private config: { metadata?: MediaPacket; audio?: MediaPacket; video?: MediaPacket } = {};
  /** Where a local stream may open mid-publish, after the key was refused (see openLocal). */
  private gate = new KeyframeGate({ startInGap: true });
  /** The local key was refused: wait for the next point a stream may start at to try again. */
  private busy = false;
  private readonly stopFollowingTarget: (() => void) | undefined;

  constructor(
    private readonly target: PullTarget,
    readonly url: string,
    readonly app: string,
    readonly name: string,
    private readonly options: StreamPullOptions = {},
  ) {
    this.parsedUrl = parseRtmpUrl(url); // fails at once on a bad URL
    this.source = describeRtmpUrl(this.parsedUrl);
    this.link = new ClientLink(
      {
        create: () => this.createClient(),
        live: (_client, reconnected) => {
          if (reconnected) this.counters.reconnects += 1;
        },
        lost: () => this.endLocal('disconnected'),
        stopping: () => {
          this.stopFollowingTarget?.();
          this.endLocal('unpublished');
        },
      },
      options.backoff,
      options.random,
    );
    this.stopFollowingTarget = target.onClose?.(() => void this.stop());
    this.link.start();
  }

  get status(): RelayStatus {
    return this.link.status;
  }

  /** The local stream being published now, if the source is live. */
  get localPublisher(): PulledStream | undefined {
    return this.publisher?.ended === false ? this.publisher : undefined;
  }

  /** Called on every status change, starting with the current one. */
  onStatus(listener: (status: RelayStatus) => void): () => void {
    return this.link.onStatus(listener);
  }

  /**
   * Stops pulling: ends the local stream (as `unpublished`) and closes the connection to the
   * source for good. Every call resolves once that connection is closed.
   */
  stop(): Promise<void> {
    return this.link.stop();
  }

  private createClient(): RtmpPlayClient {
    const client = new RtmpPlayClient({ ...this.options, url: this.url });
    client.onPacket((packet) => {
      if (this.link.client === client) this.onPacket(packet);
    });
    client.onStatus((status) => {
      if (this.link.client !== client) return;
      // The source's publisher left: this publish is over; the next one opens a new stream.
      if (status.code === NetStatusCode.PlayUnpublishNotify) this.endLocal('unpublished');
    });
    client.onStreamEvent((event) => {
      // StreamEOF: nginx-rtmp's only word (by default) that the source's publisher left.
      if (this.link.client === client && event === 'eof') this.endLocal('unpublished');
    });
    return client;
  }

  private onPacket(packet: MediaPacket): void {
    this.remember(packet);
    let publisher = this.localPublisher;
    if (publisher === undefined) {
      publisher = this.openLocal(packet);
      if (publisher === undefined) {
        if (packet.type !== 'metadata') this.counters.droppedFrames += 1;
        return;
      }
    }
    publisher.deliver(packet);
    this.counters.bytes += packet.payload.length;
    if (packet.type !== 'metadata') this.counters.frames += 1;
  }

  /** Keeps the source's configuration, which a stream opened mid-stream must start with. */
  private remember(packet: MediaPacket): void {
    // Copied: the client's payloads are views of socket memory, valid during the call only.
    if (packet.type === 'metadata') this.config.metadata = copyPacket(packet);
    else if (packet.tag.isSequenceHeader) this.config[packet.type] = copyPacket(packet);
    if (packet.type === 'video') this.gate.expectVideo();
  }

  /**
   * Opens the local stream for `packet`, the first of a publish, or a later one after the key
   * was refused (then only where a player could start: configuration, a keyframe, or audio
   * without video), replaying the configuration seen so far. Undefined when refused.
   */
  private openLocal(packet: MediaPacket): PulledStream | undefined {
    if (this.busy) {
      const startsHere = isConfigurationPacket(packet) || this.gate.isStart(packet);
      if (!startsHere) return undefined;
    }
    let publisher: PulledStream;
    try {
      publisher = this.target.publishLocal(this.app, this.name, {
        description: this.source,
        remoteAddress: this.parsedUrl.host,
        remotePort: this.parsedUrl.port,
      });
    } catch (error) {
      if (error instanceof RtmpError && error.code === RtmpErrorCode.LocalPublishClosed) {
        void this.stop(); // the local server is closing: nothing left to publish to
        return undefined;
      }
      if (!this.busy && error instanceof RtmpError) this.options.onBusy?.(error);
      this.busy = true;
      return undefined;
    }
    this.busy = false;
    this.publisher = publisher;
    this.counters.publishes += 1;
    // Mid-stream (after the key was refused): the configuration seen so far comes first. At a
    // publish's start it is this packet's own, about to be delivered.
    const starting = packet.type === 'metadata' || packet.tag.isSequenceHeader;
    if (!starting) {
      for (const config of [this.config.metadata, this.config.video, this.config.audio]) {
        if (config !== undefined) publisher.deliver(config);
      }
    }
    return publisher;
  }

  private endLocal(reason: Exclude<StreamEndReason, 'error' | 'kicked'>): void {
    const publisher = this.publisher;
    this.publisher = undefined;
    this.config = {};
    this.gate = new KeyframeGate({ startInGap: true });
    this.busy = false;
    publisher?.end(reason);
  }
}
