import { LiveStreamStats, StreamEnd } from '../server/live-stream';
import { AudioPacket, MetadataPacket, VideoPacket } from '../media/media-packet';
import { StreamRequest } from '../server/stream-request';

/**
 * A live stream as applications see it: who publishes what since when, with running totals.
 * Read-only: media comes through `RtmpServerService.packets()`.
 *
 * @publicApi
 */
export interface RtmpStream {
  /** `app/name`. */
  readonly key: string;
  readonly app: string;
  readonly name: string;
  readonly request: StreamRequest;
  readonly startedAt: Date;
  readonly stats: Readonly<LiveStreamStats>;
  /** The latest onMetaData (copied), undefined until one arrives. */
  readonly metadata: MetadataPacket | undefined;
  readonly sequenceHeaders: { readonly audio?: AudioPacket; readonly video?: VideoPacket };
  /** Players following the stream now (see `RtmpServerService.players()` for who they are). */
  readonly playerCount: number;
  /** Set once the publish has ended. */
  readonly ended: StreamEnd | undefined;
}

/**
 * A stream that ended (`RtmpServerService.streamEnded$`): why, and its totals at the end.
 *
 * @publicApi
 */
export interface RtmpStreamEnded extends StreamEnd {
  readonly stream: RtmpStream;
  /** The stream's totals when it ended (a copy). */
  readonly stats: Readonly<LiveStreamStats>;
  readonly endedAt: Date;
  /** From Publish.Start to the end. */
  readonly durationMs: number;
}
