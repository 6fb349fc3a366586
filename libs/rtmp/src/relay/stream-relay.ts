import { RtmpErrorCode } from '../protocol/errors/rtmp-error-code';
import { MediaPacket } from '../media/media-packet';
import type { RelayStatus } from './relay-status';
import { reconnectRefusal } from './reconnect-request-policy';
import { RtmpPublishClient } from '../client/rtmp-publish-client';
import { describeRtmpUrl, parseRtmpUrl, RtmpUrl } from '../client/rtmp-url';
import { ClientLink } from './client-link';
import { RelayCounters, RelaySender } from './relay-sender';
import { RelaySource } from './relay-source';
import { SendStallWatch } from './send-stall-watch';
import { StreamRelayError } from './stream-relay.error';
import { DEFAULT_RELAY_STALL_TIMEOUT_MS, StreamRelayOptions } from './stream-relay.options';

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
 *
 * What goes out on a connection is the RelaySender's; this is which connection is live: the
 * link and its retries, a destination that stalls, and ReconnectRequests.
 */
export class StreamRelay {
  readonly counters: RelayCounters = { bytes: 0, frames: 0, reconnects: 0, droppedFrames: 0 };
  private readonly link: ClientLink<RtmpPublishClient>;
  private readonly sender: RelaySender;
  private readonly stall: SendStallWatch;
  /** Set by a ReconnectRequest: the URL to reconnect to at the next keyframe. */
  private reconnectTo: string | undefined;
  /** The destination the relay was started with, whatever ReconnectRequests it followed. */
  private readonly origin: RtmpUrl;
  private readonly detach: () => void;

  constructor(
    source: RelaySource,
    private url: string,
    private readonly options: StreamRelayOptions = {},
  ) {
    this.origin = parseRtmpUrl(url); // fail at once on a bad URL
    this.link = new ClientLink(
      {
        create: () => this.createClient(),
        live: (client, reconnected) => {
          if (reconnected) this.counters.reconnects += 1;
          this.sender.start(client);
        },
        lost: () => this.stall.reset(),
        stopping: () => {
          this.detach();
          this.sender.stop(); // no connection will send what it missed now
          this.stall.reset();
        },
      },
      options.backoff,
      options.random,
    );
    this.stall = new SendStallWatch(
      options.stallTimeoutMs ?? DEFAULT_RELAY_STALL_TIMEOUT_MS,
      () => {
        const client = this.link.client;
        return client?.publishing === true && !client.writable;
      },
      () => this.onStalled(),
    );
    this.sender = new RelaySender(source, this.counters);
    const stopPackets = source.onPacket((packet) => this.onPacket(packet));
    const stopEnd = source.onEnd(() => void this.stop());
    this.detach = () => {
      stopPackets();
      stopEnd();
    };
    this.link.start();
  }

  get status(): RelayStatus {
    return this.link.status;
  }

  /** Where the relay sends now (after a followed ReconnectRequest too), stream name masked. */
  get destination(): string {
    return describeRtmpUrl(parseRtmpUrl(this.url));
  }

  /** Called on every status change, starting with the current one. */
  onStatus(listener: (status: RelayStatus) => void): () => void {
    return this.link.onStatus(listener);
  }

  /**
   * Stops relaying: unpublishes from the destination and never reconnects. Every call, the
   * first or a later one, resolves once the destination connection is closed.
   */
  stop(): Promise<void> {
    return this.link.stop();
  }

  private createClient(): RtmpPublishClient {
    const client = new RtmpPublishClient({ ...this.options, url: this.url });
    client.onReconnectRequest((request) => {
      // E-RTMP: keep streaming to the next keyframe, then reconnect where the server says.
      this.reconnectTo = this.reconnectTarget(request.tcUrl);
    });
    return client;
  }

  private onPacket(packet: MediaPacket): void {
    const client = this.link.client;
    if (client === undefined || !client.publishing) {
      this.sender.miss(packet);
      return;
    }
    // The queue took bytes since it refused a frame: the destination reads, it has not stalled.
    if (this.stall.running && client.writable) this.stall.reset();
    if (this.reconnectTo !== undefined && this.sender.isStart(packet)) {
      // E-RTMP: the old connection carried everything before this keyframe; reconnect now.
      // The source's cache starts a new GOP here, so the new connection starts with this very
      // keyframe (missed, then sent from the cache): nothing twice, nothing lost.
      this.followReconnectRequest(this.reconnectTo);
      this.sender.miss(packet);
      return;
    }
    if (!this.sender.send(client, packet)) this.stall.refused();
  }

  private followReconnectRequest(next: string): void {
    this.reconnectTo = undefined;
    const from = this.destination;
    const moved = next !== this.url;
    this.url = next;
    this.stall.reset();
    this.link.reconnect();
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

  /** The queue stayed full for `stallTimeoutMs`: drop the connection, the loop retries. */
  private onStalled(): void {
    const client = this.link.client;
    if (client === undefined) return;
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
