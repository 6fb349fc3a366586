/**
 * Message text for the AMF errors, kept apart from the error classes so tests and logs match on
 * codes while the wording stays in one place.
 */
export const AmfMessages = {
  unknownMarker: (format: AmfFormat, marker: number, offset: number): string =>
    `${format} marker 0x${hex(marker)} at offset ${offset} is not defined`,
  reservedMarker: (format: AmfFormat, marker: number, offset: number): string =>
    `${format} marker 0x${hex(marker)} at offset ${offset} is reserved and cannot be decoded`,
  tooDeep: (format: AmfFormat, maxDepth: number, offset: number): string =>
    `${format} value nests deeper than ${maxDepth} level(s) at offset ${offset}`,
  badReference: (table: AmfReferenceTable, index: number, size: number): string =>
    `${table} reference ${index} points past the ${size} entr${size === 1 ? 'y' : 'ies'} so far`,
  countTooLarge: (what: string, count: number, minimumBytes: number, available: number): string =>
    `${what} announces ${count} item(s): at least ${minimumBytes} byte(s), only ${available} left`,
  tooManyEntries: (maxEntries: number, offset: number): string =>
    `more than ${maxEntries} properties and items in one AMF payload (at offset ${offset})`,
  objectEndOutOfPlace: (offset: number): string =>
    `AMF0 object-end marker at offset ${offset} where a value was expected`,
  externalizable: (className: string): string =>
    `AMF3 externalizable class "${className}" has a private body format; it cannot be decoded`,
  trailingBytes: (format: AmfFormat, count: number, offset: number): string =>
    `${count} byte(s) left after the ${format} value ending at offset ${offset}`,
  unencodableType: (type: string): string => `a ${type} has no AMF representation`,
  cycle: (): string => 'the value contains a cycle; AMF values are written as trees',
  encodeTooDeep: (maxDepth: number): string => `the value nests deeper than ${maxDepth} level(s)`,
  encodeTooLong: (what: string, length: number, maximum: number): string =>
    `${what} of ${length} is over the ${maximum} the wire format can carry`,
  encodeEmptyDynamicKey: (): string =>
    'AMF3 cannot write a dynamic or associative property named "": the empty name ends the list',
  encodeBadVectorItem: (type: string, index: number): string =>
    `item ${index} does not fit a vector of ${type}`,
  encodeUndeclaredProperty: (className: string, key: string): string =>
    `property "${key}" of "${className}" is not sealed and its traits are not dynamic`,
} as const;

export type AmfFormat = 'AMF0' | 'AMF3';
export type AmfReferenceTable = 'AMF0 object' | 'AMF3 object' | 'AMF3 string' | 'AMF3 traits';

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}
