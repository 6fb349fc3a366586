import { StreamRequest } from '../server/stream-request';
import { PlayEnd, PlayerStats } from '../server/stream-player';

/**
 * A player as applications see it: one connection playing one stream. Read-only; live values
 * (`stats`, `queuedBytes`, `attached`) are current when read.
 *
 * @publicApi
 */
export interface RtmpPlayer {
  /** `app/name` of the stream played. */
  readonly key: string;
  /** The accepted play request (`action: 'play'`): session, address, query, tcUrl... */
  readonly request: StreamRequest;
  readonly startedAt: Date;
  /** False while the player waits for its stream to go live (`playersWaitForPublisher`). */
  readonly attached: boolean;
  readonly stats: Readonly<PlayerStats>;
  /** Bytes written to the player's socket and not yet sent. */
  readonly queuedBytes: number;
}

/**
 * A play that ended (`RtmpServerService.playEnded$`): why, and the player's totals at the end.
 *
 * @publicApi
 */
export interface RtmpPlayEnded extends PlayEnd {
  readonly player: RtmpPlayer;
  /** The player's totals when it ended (a copy). */
  readonly stats: Readonly<PlayerStats>;
  readonly endedAt: Date;
  /** From Play.Start to the end. */
  readonly durationMs: number;
}
