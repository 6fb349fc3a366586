// Specs read their fixture bytes from disk; the codec itself never touches the file system.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The bytes of a fixture file in this folder. */
export function loadFixture(name: string): Buffer {
  return readFileSync(join(__dirname, name));
}
