import { StreamEnd } from '../media/stream-end';
import { AudioPacket, MediaPacket, VideoPacket } from '../media/media-packet';

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
