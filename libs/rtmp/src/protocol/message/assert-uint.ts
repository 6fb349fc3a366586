/**
 * Guards encoder arguments. An out-of-range value here is a bug in the caller, not a protocol
 * fault, so it throws a RangeError instead of silently wrapping the way `ByteWriter` masks.
 */
export function assertUint(value: number, bits: 8 | 16 | 24 | 32, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 2 ** bits - 1) {
    throw new RangeError(`${what} must be an integer in 0..${2 ** bits - 1}, got ${value}`);
  }
}
