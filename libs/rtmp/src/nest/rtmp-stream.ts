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
  /** `app/name`: what players ask for, and `packets()`, `players()` and relays take. */
  readonly key: string;
  readonly app: string;
  /**
   * The public name the verifier gave the publish (`StreamVerdicts.accept({ name })`), else
   * the name it was published with (usually the key: mask it, or use `label`).
   */
  readonly name: string;
  /**
   * The public name, if the verifier gave one; undefined when `name` is what the publisher
   * sent, usually its secret key: leave such a stream off public pages.
   */
  readonly publicName: string | undefined;
  /** How logs name the stream: `app/<public name>`, else with the name masked. Never the key. */
  readonly label: string;
  /** The publish request the verifier decided on: `request.streamName` is the key as sent. */
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
