/**
 * Message text for the command errors, kept apart from the error class so tests and logs match
 * on codes while the wording stays in one place.
 */
export const CommandMessages = {
  notAmfMessage: (typeId: number): string =>
    `message type ${typeId} is not a command or data message (expected 15, 17, 18 or 20)`,
  formatSelector: (typeId: number, selector: number): string =>
    `message type ${typeId} starts with format selector ${selector}; only 0 (AMF0) is defined`,
  empty: (what: string): string => `${what} payload holds no values`,
  nameNotString: (what: string, type: string): string =>
    `${what} must start with a string name, found ${type}`,
  transactionNotNumber: (name: string, type: string): string =>
    `command "${name}" must carry a number transaction id, found ${type}`,
  unexpectedName: (expected: readonly string[], found: string): string =>
    `expected command ${expected.map((name) => `"${name}"`).join(' or ')}, found "${found}"`,
  fieldType: (name: string, field: string, expected: string, type: string): string =>
    `command "${name}": ${field} must be ${expected}, found ${type}`,
} as const;

/** A short description of a value's type for messages: never the value itself. */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object')
    return (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
  return typeof value;
}
