/** Bytes from hex text; spaces, newlines and `|` separators are ignored. */
export function hex(...parts: string[]): Buffer {
  const text = parts.join('').replace(/[\s|]/g, '');
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(text)) throw new Error(`bad hex fixture: ${text}`);
  return Buffer.from(text, 'hex');
}

/** UTF-8 text as hex, for fixtures that spell out names. */
export function utf8Hex(text: string): string {
  return Buffer.from(text, 'utf8').toString('hex');
}
