import { AudioTag } from '../protocol/flv/audio-tag.types';
import { VideoTag } from '../protocol/flv/video-tag.types';
import { copyPacket } from '../media/copy-packet';
import { StreamEnd } from '../media/stream-end';
import { GopBlockPool } from './gop-block-pool';
import { GopCache, GopCacheLimits, sharedGopBlockPool } from './gop-cache';
import { ListenerErrorHandler, ListenerSet } from '../media/listener-set';
import {
  AudioPacket,
  isDecoderConfiguration,
  MediaPacket,
  MetadataPacket,
  VideoPacket,
} from '../media/media-packet';
import { describeStream } from '../common/mask-stream-key';
import { StreamRequest } from './stream-request';

export type { StreamEnd, StreamEndReason } from '../media/stream-end';

export type { GopCacheLimits } from './gop-cache';

const NO_GOP_CACHE: GopCacheLimits = { enabled: false, maxFrames: 0, maxBytes: 0 };

/** What a stream is called, besides the request it was published with. */
export interface StreamNaming {
  /** The public name the verifier gave the publish (checked valid), if it gave one. */
  readonly publicName?: string;
  /** The apps the server serves: logs show those as they are (see `describeApp`). */
  readonly servedApps?: readonly string[];
}

/** Running totals for a live stream. */
export interface LiveStreamStats {
  audioPackets: number;
  videoPackets: number;
  metadataPackets: number;
  keyFrames: number;
  /** Payload bytes of every packet delivered. */
  bytes: number;
  /** Media messages dropped because their FLV header could not be parsed. */
  malformedPackets: number;
}

/**
 * One accepted publish, from Publish.Start until the publisher leaves. Listeners get every
 * packet synchronously, in order; a listener's exception is reported and never reaches the
 * session. The latest metadata and sequence headers are kept (copied) so that a consumer that
 * joins mid-stream, a recorder or a relay, can start with them.
 */
export class LiveStream {
  /** `app/name`: what the stream is registered, played and relayed under. */
  readonly key: string;
  /**
   * The name the verifier gave the publish (`StreamVerdicts.accept({ name })`), which `name`
   * and `key` then carry; undefined when it gave none: then `name` is the name the stream was
   * published with, usually its secret key, so public pages should leave the stream out.
   */
  readonly publicName: string | undefined;
  /**
   * How logs name the stream: `app/<public name>`, or the app and the masked name when it has
   * no public name (see `describeStream`). Never the key.
   */
  readonly label: string;
  readonly startedAt = new Date();
  readonly stats: LiveStreamStats = {
    audioPackets: 0,
    videoPackets: 0,
    metadataPackets: 0,
    keyFrames: 0,
    bytes: 0,
    malformedPackets: 0,
  };
  private readonly packetListeners: ListenerSet<MediaPacket>;
  private readonly endListeners: ListenerSet<StreamEnd>;
  private endState: StreamEnd | undefined;
  private attachedPlayers = 0;
  /** A video frame (not configuration) has arrived: the stream's lead-in is over. */
  private videoFrameSeen = false;
  private frameDelivered = false;
  private latestMetadata: MetadataPacket | undefined;
  private audioHeader: AudioPacket | undefined;
  private videoHeader: VideoPacket | undefined;
  /** The latest sequence header of each track (E-RTMP multitrack: one per track), by track. */
  private readonly videoHeaders = new Map<string, VideoPacket>();
  private readonly audioHeaders = new Map<string, AudioPacket>();
  /** The latest E-RTMP colorInfo (video Metadata) and MultichannelConfig, by track. */
  private readonly videoConfigurations = new Map<string, VideoPacket>();
  private readonly audioConfigurations = new Map<string, AudioPacket>();
  /** Media since the last video keyframe (keyframe first), while it fits the limits. */
  private readonly gop: GopCache;
  /** Track whose keyframes start GOPs: that of the first keyframe (0 unless multitrack). */
  private keyTrack: number | undefined;
  /** What consumers share for the packet being delivered (see `sharedForDelivery`). */
  private deliveryShared: { readonly key: string; readonly value: unknown } | undefined;

  constructor(
    readonly request: StreamRequest,
    onListenerError: ListenerErrorHandler,
    gopLimits: GopCacheLimits = NO_GOP_CACHE,
    /** Where the GOP cache takes its memory: the server's pool (see GopBlockPool). */
    gopBlocks: GopBlockPool = sharedGopBlockPool,
    naming: StreamNaming = {},
  ) {
    this.gop = new GopCache(gopLimits, gopBlocks);
    this.publicName = naming.publicName;
    this.key = `${request.app}/${this.name}`;
    this.label = describeStream(
      request.app,
      request.streamName,
      naming.servedApps,
      naming.publicName,
    );
    this.packetListeners = new ListenerSet(onListenerError);
    this.endListeners = new ListenerSet(onListenerError);
  }

  get app(): string {
    return this.request.app;
  }

  /**
   * The stream's name under its app: its public name if the verifier gave one, else the name it
   * was published with (`request.streamName`, which always keeps what the publisher sent).
   */
  get name(): string {
    return this.publicName ?? this.request.streamName;
  }

  /**
   * Whether an audio or video frame (not configuration) has been delivered. Until then a
   * consumer that attaches misses nothing and need not wait for a keyframe.
   */
  get mediaStarted(): boolean {
    return this.frameDelivered;
  }

  /** Players following the stream now (those waiting for it are not counted). */
  get playerCount(): number {
    return this.attachedPlayers;
  }

  /** Counts a player that follows the stream until the returned function is called (once). */
  countPlayer(): () => void {
    this.attachedPlayers += 1;
    let counted = true;
    return () => {
      if (!counted) return;
      counted = false;
      this.attachedPlayers -= 1;
    };
  }

  get ended(): StreamEnd | undefined {
    return this.endState;
  }

  /** The latest `onMetaData` (or other data message), copied out of socket memory. */
  get metadata(): MetadataPacket | undefined {
    return this.latestMetadata;
  }

  /** The latest audio and video sequence headers (AAC config, AVC/HEVC/AV1 config), copied. */
  get sequenceHeaders(): { audio?: AudioPacket; video?: VideoPacket } {
    return { audio: this.audioHeader, video: this.videoHeader };
  }

  /**
   * The latest sequence header of every track, copied: video tracks first, then audio, each in
   * the order their latest header arrived. A legacy stream has one of each; an Enhanced RTMP
   * multitrack stream has one per track (a header for the same tracks replaces the older one),
   * all of which a player that joins needs before any frame.
   */
  get trackSequenceHeaders(): readonly (VideoPacket | AudioPacket)[] {
    return [...this.videoHeaders.values(), ...this.audioHeaders.values()];
  }

  /**
   * Everything a decoder that starts now needs before media, each the latest: per track, the
   * E-RTMP colorInfo then the video sequence headers (OBS sends colorInfo before the header),
   * then MultichannelConfig and the audio sequence headers. Copies, safe to keep.
   */
  get decoderConfiguration(): readonly (VideoPacket | AudioPacket)[] {
    return [
      ...this.videoConfigurations.values(),
      ...this.videoHeaders.values(),
      ...this.audioConfigurations.values(),
      ...this.audioHeaders.values(),
    ];
  }

  /**
   * The current GOP: every audio and video message since the last video keyframe, keyframe
   * first; during the stream's first GOP, from its first frame (the audio some encoders send
   * before the first keyframe: see GopCache.appendLeadIn). Empty when the cache is off, the
   * stream has no video, or the GOP outgrew the limits. It always starts where a decoder can,
   * so a player that joins, or a relay that connects, sends it whole before live media.
   * Payloads are views of copies made for replay (see GopCache.packets), safe to keep and
   * shared by the players and relays that start during one GOP.
   */
  get gopCache(): readonly (AudioPacket | VideoPacket)[] {
    return this.gop.packets();
  }

  /**
   * Messages and payload bytes in the GOP cache now, without copying it (a relay measures the
   * GOP against its queue bound before it asks for it).
   */
  get gopCacheSize(): { messages: number; bytes: number } {
    return { messages: this.gop.length, bytes: this.gop.byteLength };
  }

  /**
   * Whether a video packet starts a GOP, where a player can start decoding: a keyframe of the
   * stream's key track. That is track 0 for every legacy or single-track stream; an E-RTMP
   * multitrack stream sends a keyframe per track, one message after another, and a GOP (or a
   * player) starting at the second one would lack the first track's keyframe.
   */
  isGopStart(packet: VideoPacket): boolean {
    const { tag } = packet;
    if (!tag.isKeyFrame) return false;
    this.keyTrack ??= tag.isMultitrack ? tag.tracks[0].trackId : 0;
    if (!tag.isMultitrack) return this.keyTrack === 0;
    return tag.tracks.some((track) => track.trackId === this.keyTrack);
  }

  /**
   * What a consumer worked out for the packet being delivered and shared under `key` with the
   * others that need the same (players chunk a message once for all of them; see
   * `shareForDelivery`); undefined if none did yet.
   */
  sharedForDelivery<T>(key: string): T | undefined {
    const shared = this.deliveryShared;
    return shared !== undefined && shared.key === key ? (shared.value as T) : undefined;
  }

  /**
   * Shares `value` under `key` for the rest of this delivery. One value at a time, dropped as
   * the next delivery starts and when the stream ends, so it never outlives the delivery it was
   * made for, even if a publisher reuses packet objects.
   */
  shareForDelivery(key: string, value: unknown): void {
    this.deliveryShared = { key, value };
  }

  /** Listens to every packet from now on; returns the function that stops listening. */
  onPacket(listener: (packet: MediaPacket) => void): () => void {
    return this.packetListeners.add(listener);
  }

  /** Called once when the publish ends (at once if it already has). */
  onEnd(listener: (end: StreamEnd) => void): () => void {
    if (this.endState !== undefined) {
      const end = this.endState;
      queueMicrotask(() => listener(end));
      return () => undefined;
    }
    return this.endListeners.add(listener);
  }

  /** For the session: delivers one packet to every listener. */
  deliver(packet: MediaPacket): void {
    if (this.endState !== undefined) return;
    this.deliveryShared = undefined;
    const stats = this.stats;
    stats.bytes += packet.payload.length;
    if (packet.type === 'video') {
      stats.videoPackets += 1;
      if (packet.tag.isKeyFrame) stats.keyFrames += 1;
      if (packet.tag.isSequenceHeader) {
        this.videoHeader = copyPacket(packet);
        replaceLatest(this.videoHeaders, tracksOf(packet.tag), this.videoHeader);
      } else if (isDecoderConfiguration(packet)) {
        replaceLatest(this.videoConfigurations, tracksOf(packet.tag), copyPacket(packet));
      } else {
        this.videoFrameSeen = true;
        this.frameDelivered = true;
        if (this.isGopStart(packet)) this.gop.startGop(packet);
        else this.gop.append(packet);
      }
    } else if (packet.type === 'audio') {
      stats.audioPackets += 1;
      if (packet.tag.isSequenceHeader) {
        this.audioHeader = copyPacket(packet);
        replaceLatest(this.audioHeaders, tracksOf(packet.tag), this.audioHeader);
      } else if (isDecoderConfiguration(packet)) {
        replaceLatest(this.audioConfigurations, tracksOf(packet.tag), copyPacket(packet));
      } else {
        this.frameDelivered = true;
        if (!this.videoFrameSeen && this.videoHeaders.size > 0) this.gop.appendLeadIn(packet);
        else this.gop.append(packet);
      }
    } else {
      stats.metadataPackets += 1;
      this.latestMetadata = copyPacket(packet);
    }
    this.packetListeners.emit(packet);
  }

  /** For the session: ends the stream once; later calls do nothing. */
  end(end: StreamEnd): void {
    if (this.endState !== undefined) return;
    this.endState = end;
    this.deliveryShared = undefined;
    this.gop.clear();
    this.packetListeners.clear();
    this.endListeners.emit(end);
    this.endListeners.clear();
  }
}

/** The tracks a header is for: `0` outside Multitrack packets, else the ids it carries. */
function tracksOf(tag: AudioTag | VideoTag): string {
  if (tag.isMultitrack) return tag.tracks.map((track) => track.trackId).join(',');
  return 'trackId' in tag ? String(tag.trackId) : '0';
}

/** Sets `key` to `value`, moving it last so iteration follows arrival order. */
function replaceLatest<T>(map: Map<string, T>, key: string, value: T): void {
  map.delete(key);
  map.set(key, value);
}
