// The library's public API, name by name: what is not listed here is internal and may change in
// any release. The protocol codec (AMF, chunks, handshake, FLV tags...) is the package's
// `nestjs-rtmp/protocol` entry. `public-api.spec.ts` fails when a name appears or disappears.

// Nest layer
export { RtmpModule } from './nest/rtmp.module';
export type { RtmpModuleExtras } from './nest/rtmp.module-definition';
export type { RtmpModuleOptions } from './nest/rtmp-module-options.interface';
export { RTMP_MODULE_OPTIONS } from './nest/rtmp-module-options.token';
export { RtmpServerService } from './nest/rtmp-server.service';
export type { PacketsOptions } from './nest/rtmp-server.service';
export { RtmpRelayService } from './nest/rtmp-relay.service';
export type { PullHandle, RelayHandle } from './nest/rtmp-relay.service';
export type { PullRule, RelayRule } from './nest/relay-rule.interface';
export type { RtmpStream, RtmpStreamEnded } from './nest/rtmp-stream';
export type { RtmpPlayEnded, RtmpPlayer } from './nest/rtmp-player';
export { AllowAllStreamKeyVerifier, StreamKeyVerifier } from './nest/stream-key-verifier';
export type { VerdictResult } from './nest/stream-key-verifier';
export { DuplicateStreamKeyVerifierError } from './nest/duplicate-verifier.error';
export { MissingStreamKeyVerifierError } from './nest/missing-verifier.error';

// Requests and verdicts (the deprecated Publish* names go in the next release)
export { isStreamVerdict, PublishVerdicts, StreamVerdicts } from './server/stream-request';
export type {
  PublishRejectionCode,
  PublishRequest,
  PublishVerdict,
  StreamAcceptOptions,
  StreamRejectionCode,
  StreamRequest,
  StreamVerdict,
} from './server/stream-request';
export { MAX_PUBLIC_STREAM_NAME_BYTES, publicStreamNameProblem } from './server/public-stream-name';

// The server without Nest
export { RtmpServer } from './server/rtmp-server';
export type {
  PlayEnded,
  PublishDecision,
  RequestVerifier,
  RtmpServerHooks,
  StreamDecision,
} from './server/rtmp-server';
export {
  DEFAULT_RTMP_SERVER_OPTIONS,
  MAX_PLAYER_WRITE_MERGE_MS,
  MAX_TIMEOUT_MS,
  resolveRtmpServerOptions,
} from './server/rtmp-server.options';
export type { RtmpServerOptions } from './server/rtmp-server.options';
export { consoleRtmpLogger } from './server/rtmp-logger';
export type { RtmpLogger } from './server/rtmp-logger';
export type { GopCacheLimits, LiveStream, LiveStreamStats } from './server/live-stream';
export type { LocalPublisher, LocalPublishOrigin } from './server/local-publisher';
export type { PlayEnd, PlayEndReason, PlayerStats, StreamPlayer } from './server/stream-player';
export { SessionError } from './server/session.error';
export { FlvStreamRecorder } from './server/flv-stream-recorder';
export type { FlvRecorderOptions, RecordingSummary } from './server/flv-stream-recorder';
export { recordingPath } from './server/recording-path';
export type { RecordedStream } from './server/recording-path';
export { RecordingFile } from './server/recording-file';
export type { RecordingFileOptions } from './server/recording-file';
export { RecordingFileError } from './server/recording-file.error';

// Clients
export { RtmpPublishClient } from './client/rtmp-publish-client';
export type { ReconnectRequest, RtmpPublishClientOptions } from './client/rtmp-publish-client';
export { RtmpPlayClient } from './client/rtmp-play-client';
export type {
  PlayClientStats,
  PlayedStreamEvent,
  RtmpPlayClientOptions,
} from './client/rtmp-play-client';
export { RtmpClientError } from './client/rtmp-client.error';
export { describeRtmpUrl, parseRtmpUrl } from './client/rtmp-url';
export type { RtmpUrl } from './client/rtmp-url';
export { RtmpUrlError } from './client/rtmp-url.error';
export type { RtmpUrlRule } from './client/rtmp-url.error';

// Relays and pulls
export { StreamRelay } from './relay/stream-relay';
export { DEFAULT_RELAY_STALL_TIMEOUT_MS } from './relay/stream-relay.options';
export type { StreamRelayOptions } from './relay/stream-relay.options';
export type { RelaySource } from './relay/relay-source';
export type { RelayCounters } from './relay/relay-sender';
export { StreamRelayError } from './relay/stream-relay.error';
export { StreamPull } from './relay/stream-pull';
export type {
  PullCounters,
  PulledStream,
  PullOrigin,
  PullTarget,
  StreamPullOptions,
} from './relay/stream-pull';
export { DEFAULT_RELAY_BACKOFF } from './relay/retry-backoff';
export type { RelayBackoff } from './relay/retry-backoff';
export type { RelayState, RelayStatus } from './relay/relay-status';
export type { PermanentFailureReason } from './relay/permanent-failure';
export type { ReconnectRequestHosts } from './relay/reconnect-request-policy';

// Media
export type { AudioPacket, MediaPacket, MetadataPacket, VideoPacket } from './media/media-packet';
export { isConfigurationPacket } from './media/media-packet';
export { copyPacket } from './media/copy-packet';
export { KeyframeGate } from './media/keyframe-gate';
export type { KeyframeGateOptions } from './media/keyframe-gate';
export { FlvPacketWriter } from './media/flv-packet-writer';
export type { StreamEnd, StreamEndReason } from './media/stream-end';
export { FlvWriter } from './protocol/flv/flv.writer';
export type { AudioTag } from './protocol/flv/audio-tag.types';
export type { VideoTag } from './protocol/flv/video-tag.types';

// Keys in logs
export { maskStreamKey, redactStreamKey } from './common/mask-stream-key';

// Errors
export { RtmpError } from './protocol/errors/rtmp-error';
export type { RtmpErrorContext } from './protocol/errors/rtmp-error';
export { RtmpErrorCode } from './protocol/errors/rtmp-error-code';
