import { StreamEnd } from '../server/live-stream';
export { DEFAULT_RELAY_BACKOFF } from './retry-backoff';
export type { RelayBackoff } from './retry-backoff';
import { isConfigurationPacket, MediaPacket } from '../server/media-packet';
import { ReconnectLoop } from './reconnect-loop';
import { RelayBackoff } from './retry-backoff';
import { RtmpPublishClient, RtmpPublishClientOptions } from './rtmp-publish-client';
import { describeRtmpUrl, parseRtmpUrl } from './rtmp-url';

/** What a relay reads from: a live stream (LiveStream fits). */
export interface RelaySource {
  readonly metadata: MediaPacket | undefined;
  readonly sequenceHeaders: { readonly audio?: MediaPacket; readonly video?: MediaPacket };
  /**
   * Every track's sequence header and the latest E-RTMP colorInfo / MultichannelConfig, in
   * the order a decoder needs them (LiveStream has it); when absent, `sequenceHeaders` is used.
   */
  readonly decoderConfiguration?: readonly MediaPacket[];
  onPacket(listener: (packet: MediaPacket) => void): () => void;
  onEnd(listener: (end: StreamEnd) => void): () => void;
}

export type RelayState = 'connecting' | 'live' | 'retrying' | 'stopped';

export interface RelayStatus {
  readonly state: RelayState;
  /** Why the last connection failed (while `retrying`, and on `stopped` after a failure). */
  readonly error?: Error;
  /** Milliseconds until the next attempt, while `retrying`. */
  readonly retryInMs?: number;
}

export interface RelayCounters {
  /** Payload bytes sent to the destination. */
  bytes: number;
  /** Audio and video messages sent. */
  frames: number;
  /** Connections made after the first. */
  reconnects: number;
  /** Media messages not sent: while disconnected, waiting for a keyframe, or backpressure. */
  droppedFrames: number;
}

export interface StreamRelayOptions extends Omit<RtmpPublishClientOptions, 'url'> {
  readonly backoff?: Partial<RelayBackoff>;
  /** For tests: the random source for jitter, in [0, 1). */
  readonly random?: () => number;
}

/**
 * Restreams one live stream to one destination, for as long as the stream lives. It connects,
 * sends the cached metadata and sequence headers, then media from the next keyframe. When the
 * destination fails it retries with exponential backoff and jitter, and resumes at a keyframe;
 * the source never waits for it. Stops when the source ends or `stop()` is called.
 */
export class StreamRelay {
  readonly counters: RelayCounters = { bytes: 0, frames: 0, reconnects: 0, droppedFrames: 0 };
  private readonly loop: ReconnectLoop;
  private client: RtmpPublishClient | undefined;
  private waitingForKeyFrame = true;
  private sourceHasVideo = false;
  private reconnectTo: string | undefined;
  private stopped = false;
  private stopping: Promise<void> | undefined;
  private readonly detach: () => void;

  constructor(
    private readonly source: RelaySource,
    private url: string,
    private readonly options: StreamRelayOptions = {},
  ) {
    parseRtmpUrl(url); // fail at once on a bad URL
    this.loop = new ReconnectLoop(() => this.connect(), options.backoff, options.random);
    this.sourceHasVideo = source.sequenceHeaders.video !== undefined;
    const stopPackets = source.onPacket((packet) => this.onPacket(packet));
    const stopEnd = source.onEnd(() => void this.stop());
    this.detach = () => {
      stopPackets();
      stopEnd();
    };
    this.connect();
  }

  get status(): RelayStatus {
    return this.loop.status;
  }

  /** The destination with its stream name masked. */
  get destination(): string {
    return describeRtmpUrl(parseRtmpUrl(this.url));
  }

  /** Called on every status change, starting with the current one. */
  onStatus(listener: (status: RelayStatus) => void): () => void {
    return this.loop.onStatus(listener);
  }

  /**
   * Stops relaying: unpublishes from the destination and never reconnects. Every call, the
   * first or a later one, resolves once the destination connection is closed.
   */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    this.stopped = true;
    this.detach();
    this.loop.cancelRetry();
    const client = this.client;
    this.client = undefined;
    await client?.close();
    this.loop.stopped();
  }

  private connect(): void {
    if (this.stopped) return;
    this.loop.connecting();
    const client = new RtmpPublishClient({ ...this.options, url: this.url });
    this.client = client;
    client.onClose((cause) => this.onClientClose(client, cause));
    client.onReconnectRequest((request) => {
      // E-RTMP: keep streaming to the next keyframe, then reconnect where the server says.
      this.reconnectTo = request.tcUrl ?? '';
    });
    client.connect().then(
      () => this.onLive(client),
      () => undefined, // reported through onClose
    );
  }

  private onLive(client: RtmpPublishClient): void {
    if (this.client !== client || this.stopped) return;
    this.waitingForKeyFrame = true;
    if (this.loop.live()) this.counters.reconnects += 1;
    const { metadata, sequenceHeaders, decoderConfiguration } = this.source;
    const configuration = decoderConfiguration ?? [sequenceHeaders.video, sequenceHeaders.audio];
    for (const packet of [metadata, ...configuration]) {
      if (packet !== undefined) this.forward(client, packet, true);
    }
  }

  private onPacket(packet: MediaPacket): void {
    if (packet.type === 'video' && !this.sourceHasVideo) {
      // Video shows up after audio already started (audio-only until now): video must still
      // start on a keyframe, so gate again.
      this.sourceHasVideo = true;
      this.waitingForKeyFrame = true;
    }
    const client = this.client;
    if (client === undefined || !client.publishing) {
      if (packet.type !== 'metadata') this.counters.droppedFrames += 1;
      return;
    }
    const isConfig = isConfigurationPacket(packet);
    if (!isConfig) {
      // Where a destination may start: a video keyframe, or any audio frame without video.
      const startsHere =
        (packet.type === 'video' && packet.tag.isKeyFrame) ||
        (packet.type === 'audio' && !this.sourceHasVideo);
      if (startsHere && this.reconnectTo !== undefined) {
        // E-RTMP: the old connection carried everything before this keyframe; reconnect now.
        this.followReconnectRequest(client);
        this.counters.droppedFrames += 1;
        return;
      }
      if (this.waitingForKeyFrame) {
        if (!startsHere) {
          this.counters.droppedFrames += 1;
          return;
        }
        this.waitingForKeyFrame = false;
      }
    }
    if (!this.forward(client, packet, isConfig)) {
      // The destination is behind: drop, and start again cleanly at the next keyframe.
      this.waitingForKeyFrame = true;
      this.counters.droppedFrames += 1;
    }
  }

  /** Sends one packet; configuration (metadata, sequence headers) is never refused. */
  private forward(client: RtmpPublishClient, packet: MediaPacket, force: boolean): boolean {
    let sent: boolean;
    if (packet.type === 'metadata') sent = client.sendMetadata(packet.payload);
    else if (packet.type === 'audio')
      sent = client.sendAudio(packet.timestamp, packet.payload, force);
    else sent = client.sendVideo(packet.timestamp, packet.payload, force);
    if (sent) {
      this.counters.bytes += packet.payload.length;
      if (packet.type !== 'metadata') this.counters.frames += 1;
    }
    return sent;
  }

  private followReconnectRequest(client: RtmpPublishClient): void {
    const target = this.reconnectTo;
    this.reconnectTo = undefined;
    if (target !== undefined && target !== '') {
      const name = parseRtmpUrl(this.url).streamName;
      const next = `${target.replace(/\/$/, '')}/${name}`;
      // Only an absolute rtmp(s) tcUrl is followed; anything else reconnects to the same URL
      // (connect() would otherwise throw on it inside a promise, where nothing catches it).
      if (isRtmpUrl(next)) this.url = next;
    }
    this.client = undefined;
    void client.close().then(() => this.connect());
  }

  private onClientClose(client: RtmpPublishClient, cause: Error | undefined): void {
    if (this.client !== client || this.stopped) return;
    this.client = undefined;
    this.loop.failed(cause);
  }
}

function isRtmpUrl(url: string): boolean {
  try {
    parseRtmpUrl(url);
    return true;
  } catch {
    return false;
  }
}
