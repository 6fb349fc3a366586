import { DEFAULT_PROTOCOL_LIMITS } from '../limits';
import { AmfEntryBudget } from './amf-entry-budget';

/** Options shared by the AMF0 and AMF3 decoders. */
export interface AmfDecodeOptions {
  /**
   * Deepest nesting of objects, arrays and other containers accepted. Defaults to the protocol
   * limit `maxAmfDepth` (64); never more than {@link AMF_DEPTH_CEILING}.
   */
  readonly maxDepth?: number;
  /**
   * Most object properties and array, vector and dictionary items one payload may decode to,
   * all containers together. Defaults to the protocol limit `maxAmfEntries`.
   */
  readonly maxEntries?: number;
}

/** Options shared by the AMF0 and AMF3 encoders. */
export interface AmfEncodeOptions {
  /** Deepest nesting written; deeper values are refused. Same default and ceiling as decoding. */
  readonly maxDepth?: number;
}

/**
 * Hard ceiling on `maxDepth`. Decoding and encoding recurse once per level, and a few thousand
 * frames is where Node's default stack ends; this keeps a generous margin so a misconfigured
 * limit still fails with an AMF error, never with a stack overflow.
 */
export const AMF_DEPTH_CEILING = 1000;

/** The effective depth limit for the options given. */
export function resolveMaxDepth(options: { readonly maxDepth?: number } | undefined): number {
  const requested = options?.maxDepth;
  if (requested === undefined || Number.isNaN(requested))
    return DEFAULT_PROTOCOL_LIMITS.maxAmfDepth;
  return Math.min(Math.max(0, Math.floor(requested)), AMF_DEPTH_CEILING);
}

/** A fresh entry budget for one payload decoded with `options`. */
export function entryBudgetFor(
  options: { readonly maxEntries?: number } | undefined,
): AmfEntryBudget {
  const requested = options?.maxEntries;
  const maxEntries =
    requested === undefined || Number.isNaN(requested)
      ? DEFAULT_PROTOCOL_LIMITS.maxAmfEntries
      : Math.max(0, Math.floor(requested));
  return new AmfEntryBudget(maxEntries);
}
