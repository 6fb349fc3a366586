/**
 * What logs and errors show of a stream name: a stream name often is the secret key, so only
 * its first characters and its length are shown ("liv***(12)"). Short names are hidden whole.
 */
export function maskStreamKey(name: string): string {
  const visible = name.length >= 8 ? 3 : 0;
  return `${name.slice(0, visible)}***(${name.length})`;
}

/**
 * `text` with every occurrence of the stream name masked, for logging text that comes from user
 * code (a verifier's exception, a rejection reason), which may well quote the key.
 */
export function redactStreamKey(text: string, name: string): string {
  if (name.length === 0) return text;
  return text.split(name).join(maskStreamKey(name));
}
