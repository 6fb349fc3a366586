/** `level` of a NetStatus info object. Any level other than status ends an FFmpeg session. */
export const NetStatusLevel = {
  Status: 'status',
  Warning: 'warning',
  Error: 'error',
} as const;

export type NetStatusLevel = (typeof NetStatusLevel)[keyof typeof NetStatusLevel];

/**
 * `code` of a NetStatus info object.
 *
 * For refusing a publish, prefer `PublishBadName` (name in use), `PublishDenied` or
 * `PublishRejected`: those three are in OBS's list of fatal codes, so OBS stops and tells its
 * user. `PublishUnauthorized` is accepted by FFmpeg (any error level is fatal there) but OBS
 * does not know it and waits for the socket to close.
 */
export const NetStatusCode = {
  ConnectSuccess: 'NetConnection.Connect.Success',
  /** Not in OBS's fatal list: send it with `_error`, then close the socket. */
  ConnectRejected: 'NetConnection.Connect.Rejected',
  ConnectInvalidApp: 'NetConnection.Connect.InvalidApp',
  ConnectClosed: 'NetConnection.Connect.Closed',
  ConnectFailed: 'NetConnection.Connect.Failed',
  /** E-RTMP v2: asks the client to reconnect, optionally to another `tcUrl`. */
  ConnectReconnectRequest: 'NetConnection.Connect.ReconnectRequest',

  PublishStart: 'NetStream.Publish.Start',
  PublishBadName: 'NetStream.Publish.BadName',
  PublishDenied: 'NetStream.Publish.Denied',
  PublishRejected: 'NetStream.Publish.Rejected',
  PublishUnauthorized: 'NetStream.Publish.Unauthorized',
  UnpublishSuccess: 'NetStream.Unpublish.Success',

  PlayStart: 'NetStream.Play.Start',
  PlayReset: 'NetStream.Play.Reset',
  PlayStop: 'NetStream.Play.Stop',
  PlayFailed: 'NetStream.Play.Failed',
  PlayStreamNotFound: 'NetStream.Play.StreamNotFound',
  PlayPublishNotify: 'NetStream.Play.PublishNotify',
  PlayUnpublishNotify: 'NetStream.Play.UnpublishNotify',

  StreamFailed: 'NetStream.Failed',
} as const;

export type NetStatusCode = (typeof NetStatusCode)[keyof typeof NetStatusCode];
