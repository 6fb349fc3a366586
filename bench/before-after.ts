import { BaselineInfo } from './results';
import { byKind, fixed, table } from './report-format';
import { BASELINE_TWINS, SERVER_LABELS, ServerKind, TwinnedKind } from './support/servers';

/** A change for the worse past this share is flagged. */
const WORSE_SHARE = 0.05;

/** One of a scenario's headline figures, where lower is better, for the before-and-after table. */
export interface Headline {
  /** e.g. "Ingest flood: server CPU s per GB". */
  readonly figure: string;
  readonly digits: number;
  /** Its value for one server kind; undefined where that kind did not run. */
  value(kind: ServerKind): number | undefined;
}

/** A headline whose value is read from one scenario's results, by kind. */
export function headline<T extends { kind: ServerKind }>(
  figure: string,
  digits: number,
  results: readonly T[],
  value: (result: T) => number | undefined,
): Headline {
  return {
    figure,
    digits,
    value: (kind) => {
      const result = byKind(results, kind);
      return result === undefined ? undefined : value(result);
    },
  };
}

/**
 * Each headline figure of ours (and of the variant with `gopCache: false`, where a scenario ran
 * it) at the baseline and now, and the change.
 */
export function beforeAfterSection(headlines: readonly Headline[], baseline: BaselineInfo): string {
  const rows: string[][] = [];
  for (const headline of headlines) {
    for (const [kind, twin] of Object.entries(BASELINE_TWINS) as [TwinnedKind, ServerKind][]) {
      const [now, before] = [headline.value(kind), headline.value(twin)];
      if (now === undefined || before === undefined) continue;
      // Against a figure at or below zero (a noisy difference of RSS readings) a share says nothing.
      const change = before > 0 ? (now - before) / before : NaN;
      const shown = Number.isFinite(change)
        ? `${change >= 0 ? '+' : '−'}${Math.abs(change * 100).toFixed(1)} %`
        : 'n/a';
      rows.push([
        headline.figure,
        SERVER_LABELS[kind],
        fixed(before, headline.digits),
        fixed(now, headline.digits),
        change > WORSE_SHARE ? `**${shown}, worse**` : shown,
      ]);
    }
  }
  return `## Before and after: the baseline ${baseline.commit} against the current code

The same bench servers built from commit \`${baseline.commit}\` (\`BENCH_BASELINE=${baseline.rev}\`), run in the
same scenarios beside the current code, taking turns with it round by round where a scenario has
rounds. Every figure here is better lower; a change past ${WORSE_SHARE * 100} % for the worse is marked.

${table(['figure', 'server', `baseline ${baseline.commit}`, 'current', 'change'], ['l', 'l', 'r', 'r', 'r'], rows)}`;
}
