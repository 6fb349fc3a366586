import { AmfTooManyEntriesError } from './amf-too-many-entries.error';

/**
 * How many more properties and items one decode may build. One budget spans a whole payload,
 * AMF0 and the AMF3 values switched into from it, so nesting or switching cannot multiply it.
 */
export class AmfEntryBudget {
  private left: number;

  constructor(private readonly maxEntries: number) {
    this.left = maxEntries;
  }

  /** Takes `count` entries (before they are built); throws when the budget cannot cover them. */
  take(count: number, offset: number): void {
    if (count > this.left) throw new AmfTooManyEntriesError(this.maxEntries, offset);
    this.left -= count;
  }
}
