import { amf0Bytes as amf0 } from './amf0-bytes';

/**
 * connect payloads as FFmpeg and nginx-rtmp build them (`gen_connect` in FFmpeg's rtmpproto.c,
 * `ngx_rtmp_relay_send_connect`), written out field by field in their order (notes K1).
 */

/** FFmpeg publishing: app, type, flashVer, tcUrl (with the port), no swfUrl, no objectEncoding. */
export const FFMPEG_PUBLISH_CONNECT = Buffer.concat([
  amf0.string('connect'),
  amf0.number(1),
  amf0.object([
    ['app', amf0.string('live')],
    ['type', amf0.string('nonprivate')],
    ['flashVer', amf0.string('FMLE/3.0 (compatible; Lavf61.1.100)')],
    ['tcUrl', amf0.string('rtmp://localhost:1935/live')],
  ]),
]);

/** FFmpeg publishing with -rtmp_enhanced_codecs: fourCcList as a strict array, last. */
export const FFMPEG_ENHANCED_CONNECT = Buffer.concat([
  amf0.string('connect'),
  amf0.number(1),
  amf0.object([
    ['app', amf0.string('live')],
    ['type', amf0.string('nonprivate')],
    ['flashVer', amf0.string('FMLE/3.0 (compatible; Lavf61.1.100)')],
    ['tcUrl', amf0.string('rtmp://localhost:1935/live')],
    [
      'fourCcList',
      amf0.strictArray([amf0.string('av01'), amf0.string('vp09'), amf0.string('hvc1')]),
    ],
  ]),
]);

/** FFmpeg playing: no type, the LNX flashVer and the player capability fields. */
export const FFMPEG_PLAY_CONNECT = Buffer.concat([
  amf0.string('connect'),
  amf0.number(1),
  amf0.object([
    ['app', amf0.string('live')],
    ['flashVer', amf0.string('LNX 9,0,124,2')],
    ['tcUrl', amf0.string('rtmp://localhost:1935/live')],
    ['fpad', amf0.boolean(false)],
    ['capabilities', amf0.number(15)],
    ['audioCodecs', amf0.number(4071)],
    ['videoCodecs', amf0.number(252)],
    ['videoFunction', amf0.number(1)],
  ]),
]);

/** nginx-rtmp relay push. */
export const NGINX_RELAY_CONNECT = Buffer.concat([
  amf0.string('connect'),
  amf0.number(1),
  amf0.object([
    ['app', amf0.string('live')],
    ['tcUrl', amf0.string('rtmp://origin:1935/live')],
    ['pageUrl', amf0.string('')],
    ['swfUrl', amf0.string('')],
    ['flashVer', amf0.string('LNX.11,1,102,55')],
    ['audioCodecs', amf0.number(3575)],
    ['videoCodecs', amf0.number(252)],
  ]),
]);

/** An E-RTMP v2 client: capsEx, FourCC info maps, objectEncoding 3, object as an ECMA array. */
export const ERTMP_V2_CONNECT = Buffer.concat([
  amf0.string('connect'),
  amf0.number(1),
  amf0.ecmaArray(6, [
    ['app', amf0.string('live?token=abc')],
    ['tcUrl', amf0.string('rtmp://localhost/live?token=abc')],
    ['objectEncoding', amf0.number(3)],
    ['capsEx', amf0.number(0x01 | 0x02)],
    [
      'videoFourCcInfoMap',
      amf0.object([
        ['*', amf0.number(0x04)],
        ['hvc1', amf0.number(0x01 | 0x02)],
        ['bad', amf0.string('not a number')],
      ]),
    ],
    ['audioFourCcInfoMap', amf0.ecmaArray(1, [['Opus', amf0.number(0x01)]])],
  ]),
  amf0.string('extra user argument'),
]);
