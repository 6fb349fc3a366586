import { BaselineInfo } from './results';
import { byKind, fixed, range, table } from './report-format';
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
  /** The figure in each round, where the value is a median of rounds. */
  rounds?(kind: ServerKind): readonly number[] | undefined;
}

/** A headline whose value is read from one scenario's results, by kind (and its rounds'). */
export function headline<T extends { kind: ServerKind }>(
  figure: string,
  digits: number,
  results: readonly T[],
  value: (result: T) => number | undefined,
  rounds?: (result: T) => readonly number[],
): Headline {
  const of = <R>(kind: ServerKind, read: (result: T) => R): R | undefined => {
    const result = byKind(results, kind);
    return result === undefined ? undefined : read(result);
  };
  return {
    figure,
    digits,
    value: (kind) => of(kind, value),
    rounds: rounds === undefined ? undefined : (kind) => of(kind, rounds),
  };
}

/**
 * Each headline figure of ours (and of the variant with `gopCache: false`, where a scenario ran
 * it) at the baseline and now, and the change.
 */
export function beforeAfterSection(headlines: readonly Headline[], baseline: BaselineInfo): string {
  const rows: string[][] = [];
  for (const headline of headlines) {
    let figure = headline.figure;
    for (const [kind, twin] of Object.entries(BASELINE_TWINS) as [TwinnedKind, ServerKind][]) {
      const [now, before] = [headline.value(kind), headline.value(twin)];
      if (now === undefined || before === undefined) continue;
      // Against a figure at or below zero (a noisy difference of RSS readings) a share says nothing.
      const change = before > 0 ? (now - before) / before : NaN;
      const shown = Number.isFinite(change)
        ? `${change >= 0 ? '+' : '−'}${Math.abs(change * 100).toFixed(1)} %`
        : 'n/a';
      // Every row is one of ours: the figure says which as the server's label does, after the name,
      // and a figure's second row says only that.
      const variant = SERVER_LABELS[kind].replace(/^nestjs-rtmp/, '');
      // A median of rounds that is no higher than the baseline's worst round is not shown to be
      // worse: identical code has moved that far between twins (bench/profile-notes.md).
      const beforeRounds = headline.rounds?.(twin);
      const withinRounds =
        beforeRounds !== undefined && beforeRounds.length > 0 && now <= Math.max(...beforeRounds);
      const spread = (kind: ServerKind, value: number): string => {
        const rounds = headline.rounds?.(kind);
        const shownValue = fixed(value, headline.digits);
        return rounds === undefined
          ? shownValue
          : `${shownValue} (${range(rounds, headline.digits)})`;
      };
      rows.push([
        `${figure}${variant}`,
        spread(twin, before),
        spread(kind, now),
        change <= WORSE_SHARE ? shown : withinRounds ? `${shown} ~` : `**${shown}**`,
      ]);
      figure = '…';
    }
  }
  return `## Before and after: baseline ${baseline.commit} against the current code

Ours built from \`${baseline.commit}\` (\`BENCH_BASELINE=${baseline.rev}\`), same scenarios, taking turns with the current
code in rounds (median, and the range of rounds). Lower is better; worse by over ${WORSE_SHARE * 100} %: bold, or
\`~\` where the current median is no higher than the baseline's worst round.

${table(['figure', `baseline ${baseline.commit}`, 'current', 'change'], ['l', 'r', 'r', 'r'], rows)}`;
}
