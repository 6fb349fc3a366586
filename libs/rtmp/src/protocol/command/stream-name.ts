/** A stream name (or app) split at its first "?". */
export interface ParsedStreamName {
  /** Everything before the first "?", untouched. */
  readonly name: string;
  /**
   * The query, decoded with URLSearchParams rules: "+" is a space, bad %-escapes stay as they
   * are, %-escaped bytes that are not UTF-8 become U+FFFD. When a key repeats, the first value
   * wins, as `URLSearchParams.get` does. The record has no prototype, so a key such as
   * "constructor" is absent unless the query sets it.
   */
  readonly query: Readonly<Record<string, string>>;
}

/**
 * Splits `raw` ("key?token=abc&x=1") into name and query, as nginx-rtmp and NMS split publish
 * names and apps. Never throws, whatever the text.
 */
export function parseStreamName(raw: string): ParsedStreamName {
  const query = Object.create(null) as Record<string, string>;
  const mark = raw.indexOf('?');
  if (mark < 0) return { name: raw, query };
  for (const [key, value] of new URLSearchParams(raw.slice(mark + 1))) {
    if (!Object.prototype.hasOwnProperty.call(query, key)) query[key] = value;
  }
  return { name: raw.slice(0, mark), query };
}
