import { AmfUnencodableError } from './amf-unencodable.error';
import { AmfMessages } from './amf.messages';

/**
 * The containers an encode is inside, for the AMF0 and AMF3 encoders alike: values are written
 * as trees, so a container met again inside itself is a cycle that would never end, and nesting
 * deeper than `maxDepth` is refused too; both throw {@link AmfUnencodableError}. A value that
 * merely appears twice, side by side, is no cycle.
 */
export class AmfEncodeNesting {
  private readonly open = new Set<object>();

  /** @param depth nesting already entered, by an AMF0 encoder switching to AMF3. */
  constructor(
    private readonly maxDepth: number,
    private depth = 0,
  ) {}

  get level(): number {
    return this.depth;
  }

  enter(container: object): void {
    if (this.open.has(container)) throw new AmfUnencodableError(AmfMessages.cycle());
    if (this.depth >= this.maxDepth) {
      throw new AmfUnencodableError(AmfMessages.encodeTooDeep(this.maxDepth), {
        maxDepth: this.maxDepth,
      });
    }
    this.open.add(container);
    this.depth++;
  }

  leave(container: object): void {
    this.open.delete(container);
    this.depth--;
  }
}
