import type { FlvFile, FlvReaderOptions, FlvTag } from './flv-file.types';
import { FlvReader } from './flv.reader';

/**
 * Parses a whole FLV file held in memory. Bodies are views into `file`. Throws what
 * {@link FlvReader} throws, including a `TruncatedDataError` when the file stops inside a tag.
 */
export function readFlvFile(file: Buffer, options?: FlvReaderOptions): FlvFile {
  const reader = new FlvReader(options);
  const tags: FlvTag[] = [];
  reader.push(file, (tag) => tags.push(tag));
  reader.end();
  // end() has succeeded, so the header was read.
  return {
    header: reader.header!,
    tags,
    previousTagSizeMismatches: reader.previousTagSizeMismatches,
  };
}
