/** AMF3 type markers (AMF3 §3.1). */
export const Amf3Marker = {
  Undefined: 0x00,
  Null: 0x01,
  False: 0x02,
  True: 0x03,
  Integer: 0x04,
  Double: 0x05,
  String: 0x06,
  XmlDocument: 0x07,
  Date: 0x08,
  Array: 0x09,
  Object: 0x0a,
  Xml: 0x0b,
  ByteArray: 0x0c,
  VectorInt: 0x0d,
  VectorUint: 0x0e,
  VectorDouble: 0x0f,
  VectorObject: 0x10,
  Dictionary: 0x11,
} as const;

export type Amf3Marker = (typeof Amf3Marker)[keyof typeof Amf3Marker];

/** Largest value a U29 holds (29 bits). */
export const AMF3_MAX_U29 = 0x1fffffff;
/** Integer marker range: a 29-bit two's complement number; anything else goes out as a double. */
export const AMF3_MIN_INT = -0x10000000;
export const AMF3_MAX_INT = 0x0fffffff;
/**
 * Largest length, count or reference index: the U29 gives one bit to the inline/reference flag,
 * leaving 28.
 */
export const AMF3_MAX_LENGTH = 0x0fffffff;
/** Most sealed members a trait can declare: the U29 gives four bits to flags, leaving 25. */
export const AMF3_MAX_SEALED_MEMBERS = 0x01ffffff;

/**
 * Externalizable classes whose body is a single AMF3 value, so they decode without knowing the
 * class: Flex's ArrayCollection (body: its source array) and ObjectProxy (body: the object).
 */
export const AMF3_KNOWN_EXTERNALIZABLE: ReadonlySet<string> = new Set([
  'flex.messaging.io.ArrayCollection',
  'flex.messaging.io.ObjectProxy',
]);
