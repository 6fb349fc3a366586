import { ratio, table } from './report-format';
import { OUR_VARIANTS, OurVariant } from './settings';

/** A column of the targets table: one of ours, or the Node floor beside them (not judged). */
export type TargetColumn = OurVariant | 'node-floor-publish';

const FLOOR_COLUMN = 'Node floor, for reference';

/** One target, judged for one of our variants. */
export interface TargetCheck {
  readonly target: string;
  /** Which of ours was judged (or the floor, whose figure is shown, never judged). */
  readonly variant: TargetColumn;
  /** The figure judged, short (a ratio, a count): the sections hold the figures behind it. */
  readonly measured: string;
  readonly met: boolean | undefined;
}

/** `ours` over a peer's figure; NaN where the peer did not run. */
export const over = (ours: number, theirs: number | undefined): number =>
  theirs === undefined ? NaN : ours / theirs;

/**
 * A target on ours over a peer's figure (see `over`): met at or below `limit` (below it,
 * `strictly`), not judged where there is no ratio.
 */
export function ratioCheck(
  target: string,
  variant: OurVariant,
  value: number,
  limit: number,
  strictly = false,
): TargetCheck {
  const met = strictly ? value < limit : value <= limit;
  return {
    target,
    variant,
    measured: ratio(value, limit),
    met: Number.isNaN(value) ? undefined : met,
  };
}

/**
 * One row per target, one column per variant judged: the figure, and whether it is met; the
 * floor's figure last, where there is one.
 */
export function targetsTable(checks: readonly TargetCheck[]): string {
  const targets = [...new Set(checks.map((check) => check.target))];
  const all: TargetColumn[] = [
    ...(Object.keys(OUR_VARIANTS) as OurVariant[]),
    'node-floor-publish',
  ];
  const variants = all.filter((variant) => checks.some((check) => check.variant === variant));
  const cell = (target: string, variant: TargetColumn): string => {
    const check = checks.find((c) => c.target === target && c.variant === variant);
    if (check === undefined) return '';
    if (variant === 'node-floor-publish') return check.measured;
    if (check.met === undefined) return 'not measured';
    return `${check.measured}: ${check.met ? 'yes' : '**no**'}`;
  };
  const label = (variant: TargetColumn): string =>
    variant === 'node-floor-publish' ? FLOOR_COLUMN : OUR_VARIANTS[variant];
  return table(
    ['target', ...variants.map(label)],
    ['l', ...variants.map((): 'l' => 'l')],
    targets.map((target) => [target, ...variants.map((variant) => cell(target, variant))]),
  );
}
