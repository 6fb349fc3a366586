/**
 * Bytes from spaced hex ("AF 00 12 10"; `'text'` segments in single quotes are ASCII, so
 * "90 'hvc1' 01" reads like the spec). The bytes sit at a non-zero offset inside a larger
 * ArrayBuffer, so a spec that checks `byteOffset` arithmetic on a body view cannot pass by
 * accident.
 */
export function hex(text: string): Buffer {
  const digits = text.replace(/'([^']*)'/g, (_, ascii: string) =>
    Buffer.from(ascii, 'latin1').toString('hex'),
  );
  const compact = digits.replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(compact)) throw new Error(`bad hex fixture: ${text}`);
  const bytes = Buffer.from(compact, 'hex');
  const backing = Buffer.alloc(bytes.length + 16);
  bytes.copy(backing, 7);
  return backing.subarray(7, 7 + bytes.length);
}

/** Asserts that `view` is `payload[start..start + length)` without a copy. */
export function expectViewOf(view: Buffer, payload: Buffer, start: number, length: number): void {
  expect(view.buffer).toBe(payload.buffer);
  expect(view.byteOffset).toBe(payload.byteOffset + start);
  expect(view.length).toBe(length);
}
