/**
 * Stable error codes. Logs, metrics and tests match on these, never on message text, so a code
 * is never renamed once released. Add new codes at the end of their group.
 */
export const RtmpErrorCode = {
  /** A read ran past the end of the bytes available (truncated AMF, message, FLV tag...). */
  Truncated: 'RTMP_ERR_TRUNCATED',

  AmfUnknownMarker: 'RTMP_ERR_AMF_UNKNOWN_MARKER',
  AmfTooDeep: 'RTMP_ERR_AMF_TOO_DEEP',
  AmfBadReference: 'RTMP_ERR_AMF_BAD_REFERENCE',
  AmfTooLarge: 'RTMP_ERR_AMF_TOO_LARGE',
  AmfMalformed: 'RTMP_ERR_AMF_MALFORMED',
  AmfUnencodable: 'RTMP_ERR_AMF_UNENCODABLE',
  /** One message decodes to more properties and items than `maxAmfEntries` allows. */
  AmfTooManyEntries: 'RTMP_ERR_AMF_TOO_MANY_ENTRIES',

  HandshakeVersion: 'RTMP_ERR_HANDSHAKE_VERSION',
  HandshakeState: 'RTMP_ERR_HANDSHAKE_STATE',
  HandshakeVerification: 'RTMP_ERR_HANDSHAKE_VERIFICATION',

  ChunkMessageTooLarge: 'RTMP_ERR_CHUNK_MESSAGE_TOO_LARGE',
  ChunkSizeInvalid: 'RTMP_ERR_CHUNK_SIZE_INVALID',
  ChunkSizeTooLarge: 'RTMP_ERR_CHUNK_SIZE_TOO_LARGE',
  ChunkStreamsExceeded: 'RTMP_ERR_CHUNK_STREAMS_EXCEEDED',
  ChunkNoPreviousHeader: 'RTMP_ERR_CHUNK_NO_PREVIOUS_HEADER',
  ChunkPendingBytesExceeded: 'RTMP_ERR_CHUNK_PENDING_BYTES_EXCEEDED',
  ChunkReaderFailed: 'RTMP_ERR_CHUNK_READER_FAILED',
  /** The peer started more messages than it finished (`maxAbandonedMessages`). */
  ChunkAbandonedMessages: 'RTMP_ERR_CHUNK_ABANDONED_MESSAGES',
  /** Partial messages over all connections went past `maxPendingMessageBytesTotal`. */
  ChunkServerPendingBytesExceeded: 'RTMP_ERR_CHUNK_SERVER_PENDING_BYTES_EXCEEDED',

  MessageMalformed: 'RTMP_ERR_MESSAGE_MALFORMED',
  CommandMalformed: 'RTMP_ERR_COMMAND_MALFORMED',

  FlvMalformed: 'RTMP_ERR_FLV_MALFORMED',
  FlvHeaderInvalid: 'RTMP_ERR_FLV_HEADER_INVALID',
  FlvTagTooLarge: 'RTMP_ERR_FLV_TAG_TOO_LARGE',

  SessionHandshakeTimeout: 'RTMP_ERR_SESSION_HANDSHAKE_TIMEOUT',
  SessionPublishTimeout: 'RTMP_ERR_SESSION_PUBLISH_TIMEOUT',
  SessionIdleTimeout: 'RTMP_ERR_SESSION_IDLE_TIMEOUT',
  SessionUnexpectedCommand: 'RTMP_ERR_SESSION_UNEXPECTED_COMMAND',
  SessionInternal: 'RTMP_ERR_SESSION_INTERNAL',
  SessionSocket: 'RTMP_ERR_SESSION_SOCKET',
  /** The peer stopped reading what the server sends it (see the unread-bytes bound). */
  SessionPeerNotReading: 'RTMP_ERR_SESSION_PEER_NOT_READING',
  /** The peer created more streams than `maxStreamsPerConnection`. */
  SessionTooManyStreams: 'RTMP_ERR_SESSION_TOO_MANY_STREAMS',
  /** The peer sent more commands than `maxCommandsBeforeAccept` before it was accepted. */
  SessionTooManyCommands: 'RTMP_ERR_SESSION_TOO_MANY_COMMANDS',
  /** A full server closed this connection, not yet accepted, to admit a newer one. */
  SessionDisplaced: 'RTMP_ERR_SESSION_DISPLACED',

  VerifierFailed: 'RTMP_ERR_VERIFIER_FAILED',
  VerifierTimeout: 'RTMP_ERR_VERIFIER_TIMEOUT',
  VerifierInvalidVerdict: 'RTMP_ERR_VERIFIER_INVALID_VERDICT',
  /** The verifier accepted a publish under a public name that is no valid stream name. */
  VerifierInvalidName: 'RTMP_ERR_VERIFIER_INVALID_NAME',

  /** A relay or pull URL that is not rtmp(s)://host/app/name (`RtmpUrlError` names the rule). */
  ClientUrlInvalid: 'RTMP_ERR_CLIENT_URL_INVALID',
  ClientConnectFailed: 'RTMP_ERR_CLIENT_CONNECT_FAILED',
  ClientRejected: 'RTMP_ERR_CLIENT_REJECTED',
  ClientTimeout: 'RTMP_ERR_CLIENT_TIMEOUT',
  ClientClosed: 'RTMP_ERR_CLIENT_CLOSED',
  ClientNotPublishing: 'RTMP_ERR_CLIENT_NOT_PUBLISHING',

  /** A local publish (a pulled stream) asked for a key a live publisher holds. */
  LocalPublishBusy: 'RTMP_ERR_LOCAL_PUBLISH_BUSY',
  /** A local publish asked of a server that is closing. */
  LocalPublishClosed: 'RTMP_ERR_LOCAL_PUBLISH_CLOSED',

  /** A relay's destination stopped reading: its send queue stayed full for `stallTimeoutMs`. */
  RelayStalled: 'RTMP_ERR_RELAY_STALLED',
  /** A relay did not follow a ReconnectRequest (another host, or from rtmps:// to rtmp://). */
  RelayReconnectRefused: 'RTMP_ERR_RELAY_RECONNECT_REFUSED',
  /** `RtmpRelayService.start()` of a stream that is not live. */
  RelayStreamNotLive: 'RTMP_ERR_RELAY_STREAM_NOT_LIVE',
  /** A recording's file could not be created or written (full disk, no permission...). */
  RecordingFileFailed: 'RTMP_ERR_RECORDING_FILE_FAILED',
} as const;

export type RtmpErrorCode = (typeof RtmpErrorCode)[keyof typeof RtmpErrorCode];
