/**
 * Longest delay a Node timer takes: a longer one fires after 1 ms instead (with a warning), so
 * a huge timeout would close every connection at once.
 */
export const MAX_TIMEOUT_MS = 2_147_483_647;

/** A decimal number written as a string; configuration (environment, files) is strings. */
const NUMERIC_STRING = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?\s*$/i;

/** `value` as a number when it is a numeric string, as given otherwise. */
export function numberFrom(value: unknown): unknown {
  return typeof value === 'string' && NUMERIC_STRING.test(value) ? Number(value) : value;
}

/** How an error shows a value it refuses: the value and its type (`"abc" (string)`). */
export function shownValue(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return `${text} (${value === null ? 'null' : typeof value})`;
}
