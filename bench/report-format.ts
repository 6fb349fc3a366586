import { isOurs, ServerKind } from './support/servers';
import { MB } from './support/util';

/* How BENCHMARKS.md writes figures and tables: one way, for every section. */

export const mb = (bytes: number): string => (bytes / MB).toFixed(1);
export const kb = (bytes: number): string => (bytes / 1024).toFixed(1);
export const fixed = (value: number, digits = 2): string =>
  Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
export const percent = (share: number): string => `${fixed(share * 100, 0)} %`;
export const bold = (text: string): string => `**${text}**`;
/** A figure a target judges: bold where it is ours, plain for the peers beside it. */
export const judged = (kind: ServerKind, text: string): string =>
  isOurs(kind) ? bold(text) : text;
export const yesNo = (value: boolean | undefined, none = 'not counted'): string =>
  value === undefined ? none : value ? 'yes' : '**no**';

/** A ratio to two decimals, or three when two would round onto the limit it is judged by. */
export function ratio(value: number, limit: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return `${value.toFixed(value.toFixed(2) === limit.toFixed(2) ? 3 : 2)}×`;
}

/** "lowest–highest" of the finite values. */
export function range(values: readonly number[], digits = 0): string {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return 'n/a';
  return `${Math.min(...finite).toFixed(digits)}–${Math.max(...finite).toFixed(digits)}`;
}

/**
 * A Markdown table; `align` says which columns are numbers (right-aligned). Cells go without
 * padding around the pipes (GitHub renders them the same), which keeps BENCHMARKS.md small.
 */
export function table(
  header: readonly string[],
  align: readonly ('l' | 'r')[],
  rows: readonly string[][],
): string {
  return [
    `|${header.join('|')}|`,
    `|${align.map((a) => (a === 'r' ? '---:' : '---')).join('|')}|`,
    ...rows.map((row) => `|${row.join('|')}|`),
  ].join('\n');
}

/** A column: its header, 'r' where it holds numbers (right-aligned), its cell in a row. */
export type Column<T> = readonly [header: string, align: 'l' | 'r', cell: (row: T) => string];

/** A Markdown table of `rows`, a column per `Column`. */
export function columns<T>(rows: readonly T[], spec: readonly Column<T>[]): string {
  return table(
    spec.map(([header]) => header),
    spec.map(([, align]) => align),
    rows.map((row) => spec.map(([, , cell]) => cell(row))),
  );
}

export function byKind<T extends { kind: ServerKind }>(
  results: readonly T[],
  kind: ServerKind,
): T | undefined {
  return results.find((result) => result.kind === kind);
}
