import { ConnectCommand } from '../protocol/command/connect-command.parser';
import { parseStreamName } from '../protocol/command/stream-name';
import { StreamRequest } from './stream-request';

/** A session's app query until `connect` gives one (shared: most have none). */
const NO_QUERY: Readonly<Record<string, string>> = Object.freeze({});

/** Who asks, as a request names it. */
export interface RequestingPeer {
  readonly sessionId: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
}

/**
 * What a session keeps of an accepted `connect`: the app (its `?query` split off, as nginx and
 * node-media-server do), and the fields every publish or play request carries. Not the whole
 * parsed command: an idle connection should hold little.
 */
export class ConnectedApp {
  readonly name: string;
  private readonly query: Readonly<Record<string, string>>;
  private readonly fields: Pick<ConnectCommand, 'tcUrl' | 'flashVer' | 'commandObject'>;

  constructor(connect: ConnectCommand) {
    const app = parseStreamName(connect.app);
    this.name = app.name;
    // Most apps carry no query: share one empty object rather than keep one per connection.
    this.query = Object.keys(app.query).length === 0 ? NO_QUERY : app.query;
    this.fields = {
      tcUrl: connect.tcUrl,
      flashVer: connect.flashVer,
      commandObject: connect.commandObject,
    };
  }

  /**
   * The request a publish or a play puts to the verifier: the stream name split from its query
   * (the app's query first, the name's winning), the connect object's fields, the peer.
   */
  request(
    action: StreamRequest['action'],
    rawName: string,
    publishType: string,
    peer: RequestingPeer,
  ): StreamRequest {
    const parsedName = parseStreamName(rawName);
    return {
      action,
      sessionId: peer.sessionId,
      app: this.name,
      streamName: parsedName.name,
      query: { ...this.query, ...parsedName.query },
      publishType,
      tcUrl: this.fields.tcUrl,
      flashVer: this.fields.flashVer,
      connectObject: this.fields.commandObject,
      remoteAddress: peer.remoteAddress,
      remotePort: peer.remotePort,
    };
  }
}
