/** AMF0 type markers (AMF0 §2.1). */
export const Amf0Marker = {
  Number: 0x00,
  Boolean: 0x01,
  String: 0x02,
  Object: 0x03,
  /** Reserved, not supported. */
  MovieClip: 0x04,
  Null: 0x05,
  Undefined: 0x06,
  Reference: 0x07,
  EcmaArray: 0x08,
  ObjectEnd: 0x09,
  StrictArray: 0x0a,
  Date: 0x0b,
  LongString: 0x0c,
  Unsupported: 0x0d,
  /** Reserved, not supported. */
  RecordSet: 0x0e,
  XmlDocument: 0x0f,
  TypedObject: 0x10,
  /** AVM+: the next value is AMF3 (AMF0 §3.1). */
  AvmPlus: 0x11,
} as const;

export type Amf0Marker = (typeof Amf0Marker)[keyof typeof Amf0Marker];

/** Longest UTF-8 string the short string marker (U16 length) can carry. */
export const AMF0_MAX_SHORT_STRING = 0xffff;
/** Longest UTF-8 string or XML document the U32 length fields can carry. */
export const AMF0_MAX_LONG_STRING = 0xffffffff;
/** Highest index the U16 reference marker can point at. */
export const AMF0_MAX_REFERENCE = 0xffff;
