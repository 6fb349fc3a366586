import { AmfObject } from '../protocol/amf/amf-value';

/**
 * Everything known about a client when it asks to publish or to play, handed to the verifier
 * before anything is sent back. `streamName` is often the secret key: never log it whole.
 * (Named `PublishRequest` before plays were verified too; that name is a deprecated alias.)
 */
export interface StreamRequest {
  /**
   * `publish` for an encoder, `play` for a player: one verifier can keep separate publishing
   * and viewing keys.
   */
  readonly action: 'publish' | 'play';
  /** Server-unique id of the connection. */
  readonly sessionId: number;
  /** The app from `connect` (the path before the stream name), without its `?query`. */
  readonly app: string;
  /** The stream name (key) without its `?query`. */
  readonly streamName: string;
  /** Query parameters of the stream name (`key?token=abc`), then of the app, name winning. */
  readonly query: Readonly<Record<string, string>>;
  /** `live`, `record` or `append`, as the client sent it; `live` for a play. */
  readonly publishType: string;
  readonly tcUrl: string | undefined;
  readonly flashVer: string | undefined;
  /** The connect object's fields as sent (encoder name, E-RTMP capabilities...). */
  readonly connectObject: AmfObject;
  readonly remoteAddress: string;
  readonly remotePort: number;
}

/** The status codes a rejection may carry; BadName is the one every encoder stops on. */
export type StreamRejectionCode = 'BadName' | 'Unauthorized' | 'Denied' | 'Rejected';

/** What an acceptance may say besides yes (see {@link StreamVerdicts.accept}). */
export interface StreamAcceptOptions {
  /**
   * A publish's public name: the stream is then live, registered, played, relayed, recorded
   * and logged as `app/<name>` instead of under the name it was published with (usually its
   * secret key), as nginx-rtmp's on_publish redirect or a Twitch channel name does. One
   * publisher per public name: a second key named alike is refused as "Already publishing"
   * (or takes over from a stale publisher). It must be a valid stream name (see
   * `publicStreamNameProblem`: non-empty, at most 255 bytes, no `/`, `?` or control
   * characters); an invalid one rejects the publish (`RTMP_ERR_VERIFIER_INVALID_NAME` logged),
   * it is never accepted under the key; so is `name: undefined` (a lookup that found no
   * name): leave `name` out to accept without one. Ignored for a play: a player plays the
   * name it asked for. Without it the stream keeps the name it was published with, masked in
   * logs.
   */
  readonly name?: string;
}

export type StreamVerdict =
  | {
      readonly accepted: true;
      /** The publish's public name, if the verifier gave one (see {@link StreamAcceptOptions}). */
      readonly name?: string;
    }
  | {
      readonly accepted: false;
      /** Shown to the publisher (FFmpeg prints it) and logged. Never put the key in it. */
      readonly reason: string;
      /** `NetStream.Publish.<code>`; BadName by default (OBS and FFmpeg both stop on it). */
      readonly code?: StreamRejectionCode;
    };

/** Builders for verdicts, so verifiers read as sentences. */
export const StreamVerdicts = {
  /** Yes; for a publish, `{ name }` gives the stream its public name (StreamAcceptOptions). */
  accept: (options: StreamAcceptOptions = {}): StreamVerdict =>
    'name' in options ? { accepted: true, name: options.name } : { accepted: true },
  reject: (reason: string, code: StreamRejectionCode = 'BadName'): StreamVerdict => ({
    accepted: false,
    reason,
    code,
  }),
} as const;

/**
 * A verdict the server can act on; anything else a verifier returns counts as a rejection. An
 * acceptance's `name` is checked where it is used (an invalid one rejects a publish).
 */
export function isStreamVerdict(value: unknown): value is StreamVerdict {
  if (typeof value !== 'object' || value === null) return false;
  const verdict = value as { accepted?: unknown; reason?: unknown; code?: unknown };
  if (verdict.accepted === true) return true;
  return (
    verdict.accepted === false &&
    typeof verdict.reason === 'string' &&
    (verdict.code === undefined ||
      ['BadName', 'Unauthorized', 'Denied', 'Rejected'].includes(verdict.code as string))
  );
}

/** @deprecated Renamed {@link StreamRequest}: plays are verified too. Removed in the next release. */
export type PublishRequest = StreamRequest;
/** @deprecated Renamed {@link StreamVerdict}. Removed in the next release. */
export type PublishVerdict = StreamVerdict;
/** @deprecated Renamed {@link StreamRejectionCode}. Removed in the next release. */
export type PublishRejectionCode = StreamRejectionCode;
/** @deprecated Renamed {@link StreamVerdicts}. Removed in the next release. */
export const PublishVerdicts = StreamVerdicts;
