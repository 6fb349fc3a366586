import { StreamEnd } from '../media/stream-end';
export { DEFAULT_RELAY_BACKOFF } from './retry-backoff';
export type { RelayBackoff } from './retry-backoff';
import { RtmpErrorCode } from '../protocol/errors/rtmp-error-code';
import {
  AudioPacket,
  isConfigurationPacket,
  MediaPacket,
  VideoPacket,
} from '../media/media-packet';
import type { RelayStatus } from './relay-status';
import { KeyframeGate } from '../media/keyframe-gate';
import { ReconnectLoop } from './reconnect-loop';
import { reconnectRefusal, ReconnectRequestHosts } from './reconnect-request-policy';
import { RelayBackoff } from './retry-backoff';
import { RtmpPublishClient, RtmpPublishClientOptions } from '../client/rtmp-publish-client';
import { describeRtmpUrl, parseRtmpUrl, RtmpUrl } from '../client/rtmp-url';
import { SendStallWatch } from './send-stall-watch';
import { StreamRelayError } from './stream-relay.error';
export type { ReconnectRequestHosts } from './reconnect-request-policy';
export type { RelayState, RelayStatus } from './relay-status';

/** What a relay reads from: a live stream (LiveStream fits). */
export interface RelaySource {
  readonly metadata: MediaPacket | undefined;
  readonly sequenceHeaders: { readonly audio?: MediaPacket; readonly video?: MediaPacket };
  /**
   * Every track's sequence header and the latest E-RTMP colorInfo / MultichannelConfig, in
   * the order a decoder needs them (LiveStream has it); when absent, `sequenceHeaders` is used.
   */
  readonly decoderConfiguration?: readonly MediaPacket[];
  /**
   * The current GOP, keyframe first, as players that join get it (LiveStream has it, and
   * `gopCacheSize` with it). A relay that connects sends it before live media, so nothing since
   * the last keyframe is lost; read only when `gopCacheSize` says there is one to send.
   */
  readonly gopCache?: readonly (AudioPacket | VideoPacket)[];
  /** Messages and payload bytes in `gopCache`, known without copying it. */
  readonly gopCacheSize?: { readonly messages: number; readonly bytes: number };
  /**
   * Whether a video packet starts a GOP, where a destination may start (LiveStream has it:
   * the key track's keyframes); without it, every keyframe does.
   */
  isGopStart?(packet: VideoPacket): boolean;
  /**
   * Whether the source has delivered an audio or video frame yet (LiveStream has it). Until then
   * a relay that goes live misses nothing and starts with the first frame, whatever it is (the
   * audio an encoder sends before its first keyframe); without it, the relay waits for a
   * keyframe.
   */
  readonly mediaStarted?: boolean;
  onPacket(listener: (packet: MediaPacket) => void): () => void;
  onEnd(listener: (end: StreamEnd) => void): () => void;
}

export interface RelayCounters {
  /** Payload bytes sent to the destination. */
  bytes: number;
  /** Audio and video messages sent. */
  frames: number;
  /** Connections made after the first. */
  reconnects: number;
  /**
   * Audio and video messages not sent: missed while disconnected (unless they were then sent
   * from the cached GOP), skipped waiting for a keyframe, or refused by backpressure. Metadata
   * and sequence headers are never counted: the latest of each is sent on connecting.
   */
  droppedFrames: number;
}

/** How long a relay's send queue may stay full before the destination counts as stalled. */
export const DEFAULT_RELAY_STALL_TIMEOUT_MS = 10_000;

export interface StreamRelayOptions extends Omit<RtmpPublishClientOptions, 'url'> {
  readonly backoff?: Partial<RelayBackoff>;
  /**
   * How long the send queue may stay full (`maxQueuedBytes` reached, frames refused) before
   * the relay gives the destination up as stalled: it drops the connection, reports
   * `RTMP_ERR_RELAY_STALLED` in its `retrying` status and reconnects with its backoff. A
   * destination that reads at all, however slowly, drains the queue and is not stalled.
   * Default 10 s; 0 turns the check off.
   */
  readonly stallTimeoutMs?: number;
  /**
   * Where an Enhanced RTMP ReconnectRequest from the destination may move the relay besides
   * the host it was started with: host names or addresses (no port; compared
   * case-insensitively), or a predicate on the host. Default: none, only that same host (any
   * port or app). Never from rtmps:// to rtmp://, whatever this allows. A refused request is
   * reported (`onReconnectRefused`) and the relay reconnects to its current destination, since
   * the server asked to end this connection.
   */
  readonly reconnectRequestHosts?: ReconnectRequestHosts;
  /** Told when the relay follows a ReconnectRequest elsewhere: from and to, keys masked. */
  readonly onReconnectFollowed?: (from: string, to: string) => void;
  /** Told when the relay refuses a ReconnectRequest (`RTMP_ERR_RELAY_RECONNECT_REFUSED`). */
  readonly onReconnectRefused?: (error: StreamRelayError) => void;
  /** For tests: the random source for jitter, in [0, 1). */
  readonly random?: () => number;
}

/**
 * Restreams one live stream to one destination, for as long as the stream lives. It starts as
 * a player does: once connected it sends the cached metadata and decoder configuration, the
 * stream's current GOP (from its last keyframe), then live media, so a destination connected
 * while the stream runs misses nothing since that keyframe. When the destination fails it
 * retries with exponential backoff and jitter and starts again the same way; the source never
 * waits for it. Without a GOP to send (the server's `gopCache: false`, a GOP that outgrew the
 * cache's limits, one that does not fit `maxQueuedBytes`, or a source with no cache) it starts
 * at the next keyframe instead, as it did before streams had a cache. Stops when the source
 * ends or `stop()` is called.
 */
export class StreamRelay {
  readonly counters: RelayCounters = { bytes: 0, frames: 0, reconnects: 0, droppedFrames: 0 };
  private readonly loop: ReconnectLoop;
  private readonly stall: SendStallWatch;
  private client: RtmpPublishClient | undefined;
  /** Where media may go to the destination after a gap (see KeyframeGate); anew per connection. */
  private gate: KeyframeGate;
  /** Set by a ReconnectRequest: the URL to reconnect to at the next keyframe. */
  private reconnectTo: string | undefined;
  /** The destination the relay was started with, whatever ReconnectRequests it followed. */
  private readonly origin: RtmpUrl;
  /**
   * Audio and video frames the source delivered while no connection was live. The newest of
   * them may still go out from the cached GOP on connecting; `missedLost` of them no longer
   * can (a later keyframe started a new GOP, or the cache let them go) and are already counted
   * as dropped, as soon as that is known, so `droppedFrames` only ever grows.
   */
  private missed = 0;
  private missedLost = 0;
  private stopped = false;
  private stopping: Promise<void> | undefined;
  private readonly detach: () => void;

  constructor(
    private readonly source: RelaySource,
    private url: string,
    private readonly options: StreamRelayOptions = {},
  ) {
    this.origin = parseRtmpUrl(url); // fail at once on a bad URL
    this.loop = new ReconnectLoop(() => this.connect(), options.backoff, options.random);
    this.stall = new SendStallWatch(
      options.stallTimeoutMs ?? DEFAULT_RELAY_STALL_TIMEOUT_MS,
      () => this.client?.publishing === true && !this.client.writable,
      () => this.onStalled(),
    );
    this.gate = this.newGate(true);
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

  /** Where the relay sends now (after a followed ReconnectRequest too), stream name masked. */
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
    this.settleMissed(0); // no connection will send them now
    this.loop.cancelRetry();
    this.stall.reset();
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
      this.reconnectTo = this.reconnectTarget(request.tcUrl);
    });
    client.connect().then(
      () => this.onLive(client),
      () => undefined, // reported through onClose
    );
  }

  private onLive(client: RtmpPublishClient): void {
    if (this.client !== client || this.stopped) return;
    if (this.loop.live()) this.counters.reconnects += 1;
    const { metadata, sequenceHeaders, decoderConfiguration } = this.source;
    const configuration = decoderConfiguration ?? [sequenceHeaders.video, sequenceHeaders.audio];
    for (const packet of [metadata, ...configuration]) {
      if (packet !== undefined) this.forward(client, packet, true);
    }
    // Everything here runs in one turn: the GOP is read and sent before the source can deliver
    // another packet, and every later one comes through onPacket. So the cached frames and the
    // live ones neither overlap nor leave a gap. The cached frames keep the stream's own
    // timestamps, as live ones do: each connection is a new publish to the destination, which
    // starts its clock at the first timestamp it gets (after a reconnection, the resent GOP
    // starts before where the previous connection stopped; that was another publish).
    const gop = this.cachedGop(client);
    // A cached GOP starts where a decoder can; so does a stream with no frame yet (from its
    // first frame nothing is missed). Otherwise the destination starts at the next keyframe.
    const gate = this.newGate(gop.length === 0 && this.source.mediaStarted !== false);
    this.gate = gate;
    for (const packet of configuration) if (packet !== undefined) gate.admits(packet);
    let sent = 0;
    while (sent < gop.length && gate.admits(gop[sent]) && this.forward(client, gop[sent], true)) {
      sent += 1;
    }
    // Cut short, the socket is closing (a forced send fails only then; onClose follows): the
    // frames are counted as not sent, and nothing more goes out on this connection anyway.
    const whole = gop.length > 0 && sent === gop.length;
    this.settleMissed(whole ? gop.length : 0);
    this.missed = 0;
    this.missedLost = 0;
  }

  /**
   * The source's current GOP, to send whole after the configuration; none when the source has
   * no GOP cache (or it is off, or outgrown), or when the GOP does not fit under the queue bound.
   *
   * All or nothing: a GOP cut short and followed by live frames would leave the destination's
   * decoder without the frames the later ones refer to, until the next keyframe. It is measured
   * first (payload bytes, without copying it out of the cache), then sent forced: the chunk
   * headers add a few bytes per message, and a GOP that fits must not be refused over those
   * halfway through. One that does not fit is not forced past `maxQueuedBytes` either (a long
   * GOP at a high bitrate is several MB, per relay): the relay then starts at the next keyframe,
   * as it would with no cache, and the frames it missed count as dropped.
   */
  private cachedGop(client: RtmpPublishClient): readonly (AudioPacket | VideoPacket)[] {
    const size = this.source.gopCacheSize;
    if (size === undefined || size.messages === 0) return [];
    if (client.queuedBytes + size.bytes > client.maxQueuedBytes) return [];
    return this.source.gopCache ?? [];
  }

  /** One frame the source delivered while no connection was live. */
  private miss(packet: MediaPacket): void {
    // Metadata and decoder configuration are not counted: the latest go out on connecting.
    if (isConfigurationPacket(packet)) return;
    this.missed += 1;
    this.settleMissed(this.source.gopCacheSize?.messages ?? 0);
  }

  /**
   * Counts as dropped the missed frames that `recoverable` cached frames no longer cover: the
   * cache holds the newest frames of the stream, so it covers the newest missed ones.
   */
  private settleMissed(recoverable: number): void {
    const lost = this.missed - Math.min(this.missed, recoverable);
    if (lost <= this.missedLost) return;
    this.counters.droppedFrames += lost - this.missedLost;
    this.missedLost = lost;
  }

  private onPacket(packet: MediaPacket): void {
    const client = this.client;
    if (client === undefined || !client.publishing) {
      this.miss(packet);
      return;
    }
    // The queue took bytes since it refused a frame: the destination reads, it has not stalled.
    if (this.stall.running && client.writable) this.stall.reset();
    const isConfig = isConfigurationPacket(packet);
    if (this.reconnectTo !== undefined && this.gate.isStart(packet)) {
      // E-RTMP: the old connection carried everything before this keyframe; reconnect now.
      // The source's cache starts a new GOP here, so the new connection starts with this very
      // keyframe (missed, then sent from the cache): nothing twice, nothing lost.
      this.followReconnectRequest(client, this.reconnectTo);
      this.miss(packet);
      return;
    }
    if (!this.gate.admits(packet)) {
      this.counters.droppedFrames += 1;
      return;
    }
    if (!this.forward(client, packet, isConfig)) {
      // The destination is behind: drop, and start again cleanly where a decoder can.
      this.gate.gap();
      this.counters.droppedFrames += 1;
      this.stall.refused();
    }
  }

  /** A gate that starts GOPs where the source does (its key track), told what the source has. */
  private newGate(startInGap: boolean): KeyframeGate {
    const gate = new KeyframeGate({ startInGap, isGopStart: (packet) => this.startsGop(packet) });
    if (this.source.sequenceHeaders.video !== undefined) gate.expectVideo();
    return gate;
  }

  /**
   * The source's rule when it has one (the stream's key track, as for players, and where its
   * cache starts a GOP), so a ReconnectRequest is followed where the cached GOP will start.
   */
  private startsGop(packet: VideoPacket): boolean {
    return this.source.isGopStart?.(packet) ?? packet.tag.isKeyFrame;
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

  private followReconnectRequest(client: RtmpPublishClient, next: string): void {
    this.reconnectTo = undefined;
    const from = this.destination;
    const moved = next !== this.url;
    this.url = next;
    this.client = undefined;
    this.stall.reset();
    void client.close().then(() => this.connect());
    if (moved) notify(() => this.options.onReconnectFollowed?.(from, this.destination));
  }

  /**
   * The URL a ReconnectRequest's tcUrl leads to, with the same stream name: the current URL
   * when it names none, names something unusable, or somewhere the relay may not go (reported).
   */
  private reconnectTarget(tcUrl: string | undefined): string {
    if (tcUrl === undefined || tcUrl === '') return this.url;
    const current = parseRtmpUrl(this.url);
    const next = `${tcUrl.replace(/\/$/, '')}/${current.streamName}`;
    // Only an absolute rtmp(s) tcUrl is followed (connect() would otherwise throw on it inside
    // a promise, where nothing catches it).
    const target = parseOrUndefined(next);
    if (target === undefined) return this.url;
    const why = reconnectRefusal(this.origin, current, target, this.options.reconnectRequestHosts);
    if (why === undefined) return next;
    const error = new StreamRelayError(
      RtmpErrorCode.RelayReconnectRefused,
      `refused a ReconnectRequest to ${describeRtmpUrl(target)}: ${why}`,
    );
    notify(() => this.options.onReconnectRefused?.(error));
    return this.url;
  }

  private onClientClose(client: RtmpPublishClient, cause: Error | undefined): void {
    if (this.client !== client || this.stopped) return;
    this.client = undefined;
    this.stall.reset();
    this.loop.failed(cause);
  }

  /** The queue stayed full for `stallTimeoutMs`: drop the connection, the loop retries. */
  private onStalled(): void {
    const client = this.client;
    if (client === undefined || this.stopped) return;
    const stallTimeoutMs = this.options.stallTimeoutMs ?? DEFAULT_RELAY_STALL_TIMEOUT_MS;
    // abort(), not close(): a polite unpublish would wait behind the full queue.
    client.abort(
      new StreamRelayError(
        RtmpErrorCode.RelayStalled,
        `${this.destination} stopped reading: the send queue stayed full for ${stallTimeoutMs} ms`,
        { stallTimeoutMs, queuedBytes: client.queuedBytes },
      ),
    );
  }
}

/** Runs an application callback: its bug must not break the relay. */
function notify(callback: () => void): void {
  try {
    callback();
  } catch {
    // ignored, as status listeners' exceptions are
  }
}

function parseOrUndefined(url: string): RtmpUrl | undefined {
  try {
    return parseRtmpUrl(url);
  } catch {
    return undefined;
  }
}
