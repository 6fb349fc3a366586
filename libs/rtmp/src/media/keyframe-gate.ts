import { isConfigurationPacket, MediaPacket, VideoPacket } from './media-packet';

export interface KeyframeGateOptions {
  /**
   * Whether the consumer starts in a gap: it joins a stream that has already sent media, so the
   * next frames refer to frames it never got. False for a consumer there from the stream's start,
   * or one that was just given the cached GOP.
   */
  readonly startInGap: boolean;
  /**
   * Whether a video packet starts a GOP: for E-RTMP multitrack streams, a keyframe of the key
   * track only (LiveStream.isGopStart). Default: any keyframe.
   */
  readonly isGopStart?: (packet: VideoPacket) => boolean;
}

/**
 * Where a consumer of a live stream may take media: the one rule every consumer (players,
 * `packets()` subscribers, recordings, relays, pulls) applies when it joins mid-stream or falls
 * behind. Media after a gap refers to frames the consumer never got, so it waits for a place a
 * decoder can start:
 *
 * - configuration (metadata, sequence headers, colorInfo, MultichannelConfig) always passes:
 *   it is small, and whatever comes next needs it;
 * - video resumes at the start of a GOP (a keyframe);
 * - audio resumes at the next audio frame if the stream carries no video; with video, at the
 *   keyframe, so that sound and picture start together;
 * - the first video frame a consumer is given must start a GOP, even outside a gap (video that
 *   appears in a stream that was audio-only until then, or an encoder whose first frame is no
 *   keyframe): until one comes, the consumer is in a gap.
 *
 * The gate only decides; what a consumer does with a refused packet (count it, drop a queue) is
 * its own.
 */
export class KeyframeGate {
  private inGap: boolean;
  private hasVideo = false;
  /** A video frame went through since the last gap. */
  private videoFlowing = false;
  private readonly isGopStart: (packet: VideoPacket) => boolean;

  constructor(options: KeyframeGateOptions) {
    this.inGap = options.startInGap;
    this.isGopStart = options.isGopStart ?? ((packet) => packet.tag.isKeyFrame);
  }

  /** Whether media is held back until the next place a decoder can start. */
  get waiting(): boolean {
    return this.inGap;
  }

  /** Whether the stream is known to carry video (a video header or frame went by). */
  get streamHasVideo(): boolean {
    return this.hasVideo;
  }

  /** Tells the gate the stream carries video before any video packet went by. */
  expectVideo(): void {
    this.hasVideo = true;
  }

  /** The consumer lost media (it fell behind, or was disconnected): wait for a start again. */
  gap(): void {
    this.inGap = true;
    this.videoFlowing = false;
  }

  /** Whether a consumer in a gap could start at `packet` (does not change the gate). */
  isStart(packet: MediaPacket): boolean {
    if (packet.type === 'video') return !isConfigurationPacket(packet) && this.isGopStart(packet);
    return packet.type === 'audio' && !isConfigurationPacket(packet) && !this.hasVideo;
  }

  /** Decides `packet`, in stream order: whether the consumer takes it. */
  admits(packet: MediaPacket): boolean {
    if (packet.type === 'video') this.hasVideo = true;
    if (isConfigurationPacket(packet)) return true;
    if (packet.type === 'video' && !this.videoFlowing) {
      // The first video frame since a gap (or ever) must start a GOP.
      if (!this.isGopStart(packet)) {
        this.inGap = true;
        return false;
      }
      this.inGap = false;
      this.videoFlowing = true;
      return true;
    }
    if (!this.inGap) return true;
    if (!this.isStart(packet)) return false;
    this.inGap = false;
    return true;
  }
}
