/** `fmsVer` in a connect result: the value FFmpeg, nginx-rtmp and NMS all send. */
export const DEFAULT_FMS_VERSION = 'FMS/3,0,1,123';
/** `capabilities` in a connect result, alongside `DEFAULT_FMS_VERSION`. */
export const DEFAULT_SERVER_CAPABILITIES = 31;
/** The bandwidth figure servers put in `onBWDone`. */
export const DEFAULT_BANDWIDTH = 8192;
/** Default connect `description` on success, as nginx-rtmp words it. */
export const DEFAULT_CONNECT_DESCRIPTION = 'Connection succeeded.';
/**
 * `flashVer` our client sends. The "FMLE/3.0 (compatible; ...)" form is what FFmpeg and OBS
 * publish with, and what servers that tell encoders from players look for.
 */
export const DEFAULT_CLIENT_FLASH_VERSION = 'FMLE/3.0 (compatible; nestjs-rtmp)';
/** `play` start meaning "live, or recorded if there is no live stream" (SPEC §7.2.2.1). */
export const PLAY_START_ANY = -2;

/** connect `objectEncoding` values. */
export const ObjectEncoding = {
  Amf0: 0,
  /** The peer also understands message types 15, 16 and 17. */
  Amf3: 3,
} as const;

/** E-RTMP v2 connect `capsEx` flags. */
export const CapsExMask = {
  Reconnect: 0x01,
  Multitrack: 0x02,
  ModEx: 0x04,
  TimestampNanoOffset: 0x08,
} as const;

/** E-RTMP v2 `videoFourCcInfoMap` / `audioFourCcInfoMap` flags. */
export const FourCcInfoMask = {
  CanDecode: 0x01,
  CanEncode: 0x02,
  CanForward: 0x04,
} as const;
