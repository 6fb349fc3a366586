import {
  AudioPacket,
  isConfigurationPacket,
  MediaPacket,
  VideoPacket,
} from '../media/media-packet';
import { KeyframeGate } from '../media/keyframe-gate';
import { RtmpPublishClient } from '../client/rtmp-publish-client';
import { RelaySource } from './relay-source';

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

/**
 * What a relay sends its destination, connection after connection: on each new connection the
 * source's metadata and decoder configuration, then its current GOP, then live media through a
 * KeyframeGate; and the counts of what was sent, and of what was not (missed while no
 * connection was live, held back by the gate, refused by the send queue). Which connection is
 * live is the relay's business: it says so by calling `start`, `send` or `miss`.
 */
export class RelaySender {
  /** Where media may go to the destination after a gap (see KeyframeGate); anew per connection. */
  private gate: KeyframeGate;
  /**
   * Audio and video frames the source delivered while no connection was live. The newest of
   * them may still go out from the cached GOP on connecting; `missedLost` of them no longer
   * can (a later keyframe started a new GOP, or the cache let them go) and are already counted
   * as dropped, as soon as that is known, so `droppedFrames` only ever grows.
   */
  private missed = 0;
  private missedLost = 0;

  constructor(
    private readonly source: RelaySource,
    private readonly counters: RelayCounters,
  ) {
    this.gate = this.newGate(true);
  }

  /** A connection went live: sends the configuration and the cached GOP, then it takes media. */
  start(client: RtmpPublishClient): void {
    const { metadata, sequenceHeaders, decoderConfiguration } = this.source;
    const configuration = decoderConfiguration ?? [sequenceHeaders.video, sequenceHeaders.audio];
    for (const packet of [metadata, ...configuration]) {
      if (packet !== undefined) this.forward(client, packet, true);
    }
    // Everything here runs in one turn: the GOP is read and sent before the source can deliver
    // another packet, and every later one comes through `send`. So the cached frames and the
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
   * Sends one live packet on the live connection, if the gate lets it through. Returns false
   * only when the destination's send queue refused it: the destination is behind.
   */
  send(client: RtmpPublishClient, packet: MediaPacket): boolean {
    if (!this.gate.admits(packet)) {
      this.counters.droppedFrames += 1;
      return true;
    }
    if (this.forward(client, packet, isConfigurationPacket(packet))) return true;
    // Dropped: start again cleanly where a decoder can.
    this.gate.gap();
    this.counters.droppedFrames += 1;
    return false;
  }

  /** Whether a destination could start at `packet`: where a ReconnectRequest is followed. */
  isStart(packet: MediaPacket): boolean {
    return this.gate.isStart(packet);
  }

  /** One frame the source delivered while no connection was live. */
  miss(packet: MediaPacket): void {
    // Metadata and decoder configuration are not counted: the latest go out on connecting.
    if (isConfigurationPacket(packet)) return;
    this.missed += 1;
    this.settleMissed(this.source.gopCacheSize?.messages ?? 0);
  }

  /** The relay stops: no connection will send the frames it missed. */
  stop(): void {
    this.settleMissed(0);
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
}
