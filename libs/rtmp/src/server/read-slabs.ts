/**
 * Size of a connection's first read slab: enough for the handshake's C0+C1 (1537 bytes) in one
 * read, small enough that a thousand idle connections hold little.
 */
export const INITIAL_READ_SLAB_BYTES = 2048;

/**
 * The memory one socket reads into: the unread tail of a slab, then a fresh slab. A slab is
 * never written twice, so what the chunk reader hands out (views of what was read, kept by
 * the GOP cache, players' write queues and subscribers) stays valid for as long as it is held,
 * and the slab is freed by the garbage collector with the last view of it.
 *
 * Why not Node's own reads: each of them mallocs 64 KiB, shrinks it to what came (one
 * message, for a live publisher) and wraps it in a new ArrayBuffer; a slab serves a run of
 * reads. Slabs start at {@link INITIAL_READ_SLAB_BYTES} and double, up to the maximum, each
 * time a read fills all it was offered: an idle or playing connection keeps small slabs, a
 * publisher gets large ones after a few reads.
 */
export class ReadSlabs {
  private slabBytes: number;
  private slab: Buffer;
  private offset = 0;
  private offered: Buffer | undefined;

  constructor(
    private readonly maxSlabBytes: number,
    initialSlabBytes = INITIAL_READ_SLAB_BYTES,
  ) {
    this.slabBytes = Math.min(initialSlabBytes, maxSlabBytes);
    this.slab = Buffer.allocUnsafeSlow(this.slabBytes);
  }

  /** Size of the slabs now being cut (grows with the traffic). */
  get currentSlabBytes(): number {
    return this.slabBytes;
  }

  /**
   * Where the next read may write: the current slab's tail while at least a quarter of a
   * slab is left (a shorter tail would split most messages in two), else a new slab.
   */
  nextReadBuffer(): Buffer {
    if (this.slab.length - this.offset < this.slabBytes / 4) {
      this.slab = Buffer.allocUnsafeSlow(this.slabBytes);
      this.offset = 0;
    }
    this.offered = this.slab.subarray(this.offset);
    return this.offered;
  }

  /** The `nread` bytes the read put at the start of the last buffer offered, as a view. */
  took(nread: number): Buffer {
    const offered = this.offered;
    if (offered === undefined || nread > offered.length) {
      throw new RangeError(`read of ${nread} bytes into ${offered?.length ?? 0} offered`);
    }
    this.offered = undefined;
    this.offset += nread;
    if (nread === offered.length && this.slabBytes < this.maxSlabBytes) {
      this.slabBytes = Math.min(this.slabBytes * 2, this.maxSlabBytes);
    }
    return offered.subarray(0, nread);
  }
}
