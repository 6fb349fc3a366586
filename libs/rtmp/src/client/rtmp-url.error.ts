import { RtmpErrorCode } from '../protocol/errors/rtmp-error-code';
import { RtmpClientError } from './rtmp-client.error';

/**
 * Which rule an RTMP URL broke, for code that reacts to it (a controller answering 400 can
 * name the field's problem). The message says the same in words.
 *
 * @publicApi
 */
export type RtmpUrlRule =
  /** A tab, line break or other control character: URL parsers drop some of them silently. */
  | 'control-character'
  /** The scheme is missing or is not rtmp:// or rtmps://. */
  | 'scheme'
  /** Nothing between `//` and the path, or no `//` at all. */
  | 'host'
  /** A port that is not a number from 1 to 65535. */
  | 'port'
  /** Node's URL parser refuses it: a space or a forbidden character in the host, bad brackets... */
  | 'syntax'
  /** The path does not have an app and a stream name: `rtmp://host/app/name`. */
  | 'app-and-name';

const RULE_TEXT: Readonly<Record<RtmpUrlRule, string>> = {
  'control-character': 'it contains a control character (a tab, a line break...)',
  scheme: 'the scheme must be rtmp:// or rtmps://',
  host: 'it needs a host (rtmp://host/app/name)',
  port: 'the port must be a number from 1 to 65535',
  syntax: "Node's URL parser refuses it (a space or a character not allowed in the host?)",
  'app-and-name': 'it needs an app and a stream name (rtmp://host/app/name)',
};

/**
 * A relay destination or pull source that is not a usable RTMP URL
 * (`RTMP_ERR_CLIENT_URL_INVALID`). `url` is the URL as logs show it, stream key and password
 * masked, so the message can go into a log or an HTTP 400 answer as it is.
 *
 * @publicApi
 */
export class RtmpUrlError extends RtmpClientError {
  constructor(
    /** The URL with its stream key, key-like path segments and password masked. */
    readonly url: string,
    readonly rule: RtmpUrlRule,
    /** Where the URL came from (`RtmpModule relays[0] (live/*) destination 1`), if known. */
    readonly where?: string,
  ) {
    super(
      RtmpErrorCode.ClientUrlInvalid,
      `${where === undefined ? '' : `${where}: `}invalid RTMP URL ${url}: ${RULE_TEXT[rule]}`,
      undefined,
      undefined,
      { rule },
    );
  }
}
