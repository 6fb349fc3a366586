import { ratio, table } from './report-format';
import { OUR_VARIANTS, OurVariant } from './settings';

/** One target, judged for one of our variants. */
export interface TargetCheck {
  readonly target: string;
  /** Which of ours was judged: a column of the targets table. */
  readonly variant: OurVariant;
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

/** One row per target, one column per variant judged: the figure, and whether it is met. */
export function targetsTable(checks: readonly TargetCheck[]): string {
  const targets = [...new Set(checks.map((check) => check.target))];
  const variants = (Object.keys(OUR_VARIANTS) as OurVariant[]).filter((variant) =>
    checks.some((check) => check.variant === variant),
  );
  const cell = (target: string, variant: OurVariant): string => {
    const check = checks.find((c) => c.target === target && c.variant === variant);
    if (check === undefined) return '';
    if (check.met === undefined) return 'not measured';
    return `${check.measured}: ${check.met ? 'yes' : '**no**'}`;
  };
  return table(
    ['target', ...variants.map((variant) => OUR_VARIANTS[variant])],
    ['l', ...variants.map((): 'l' => 'l')],
    targets.map((target) => [target, ...variants.map((variant) => cell(target, variant))]),
  );
}
