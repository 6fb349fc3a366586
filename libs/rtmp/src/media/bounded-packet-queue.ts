import { KeyframeGate } from './keyframe-gate';
import { isConfigurationPacket, MediaPacket, VideoPacket } from './media-packet';

export interface BoundedPacketQueueOptions {
  /** Most payload bytes waiting for the consumer before the drop policy applies. */
  readonly maxQueuedBytes: number;
  /** Called in order for every packet that survives the policy. */
  readonly deliver: (packet: MediaPacket) => void;
  /** Called once per overflow, with the number of packets dropped so far in total. */
  readonly onOverflow?: (droppedTotal: number) => void;
  /**
   * Whether to hold media back until the first video keyframe (a consumer joining mid-stream
   * gets nothing it cannot decode). Metadata and sequence headers always pass.
   */
  readonly startAtKeyFrame: boolean;
  /** Where the stream's GOPs start (LiveStream.isGopStart); any keyframe by default. */
  readonly isGopStart?: (packet: VideoPacket) => boolean;
}

/**
 * Decouples one consumer from the session that produces its packets. `push` only queues (the
 * session never waits on a consumer); packets are delivered in a later turn of the event loop,
 * in batches. When more than `maxQueuedBytes` wait, the consumer has fallen behind: every
 * queued audio and video packet is dropped and media resumes where a KeyframeGate says (the
 * next keyframe; the next audio frame for a stream without video). Metadata and sequence
 * headers are never dropped, so the consumer can always decode what follows.
 */
export class BoundedPacketQueue {
  private queue: MediaPacket[] = [];
  private head = 0;
  private queuedBytes = 0;
  private readonly gate: KeyframeGate;
  private scheduled: NodeJS.Immediate | undefined;
  private droppedTotal = 0;
  private onDrained: (() => void) | undefined;
  private disposed = false;

  constructor(private readonly options: BoundedPacketQueueOptions) {
    this.gate = new KeyframeGate({
      startInGap: options.startAtKeyFrame,
      isGopStart: options.isGopStart,
    });
  }

  get dropped(): number {
    return this.droppedTotal;
  }

  get bytes(): number {
    return this.queuedBytes;
  }

  push(packet: MediaPacket): void {
    if (this.disposed) return;
    if (!this.gate.admits(packet)) {
      this.droppedTotal += 1;
      return;
    }
    if (
      this.queuedBytes + packet.payload.length > this.options.maxQueuedBytes &&
      !isConfigurationPacket(packet)
    ) {
      this.overflow();
      if (!this.gate.admits(packet)) {
        this.droppedTotal += 1;
        return;
      }
    }
    this.queue.push(packet);
    this.queuedBytes += packet.payload.length;
    this.schedule();
  }

  /** Calls `done` once everything queued has been delivered (at once if nothing is). */
  drain(done: () => void): void {
    if (this.head >= this.queue.length) {
      done();
      return;
    }
    this.onDrained = done;
  }

  /** Drops everything and delivers nothing more. */
  dispose(): void {
    this.disposed = true;
    this.queue = [];
    this.head = 0;
    this.queuedBytes = 0;
    if (this.scheduled !== undefined) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    this.onDrained = undefined;
  }

  private overflow(): void {
    const kept: MediaPacket[] = [];
    let keptBytes = 0;
    for (let i = this.head; i < this.queue.length; i += 1) {
      const queued = this.queue[i];
      if (isConfigurationPacket(queued)) {
        kept.push(queued);
        keptBytes += queued.payload.length;
      } else {
        this.droppedTotal += 1;
      }
    }
    this.queue = kept;
    this.head = 0;
    this.queuedBytes = keptBytes;
    this.gate.gap();
    this.options.onOverflow?.(this.droppedTotal);
  }

  private schedule(): void {
    if (this.scheduled === undefined) this.scheduled = setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = undefined;
    // Deliver what is queued now; packets pushed meanwhile wait for the next turn, so the
    // socket gets read between batches and a slow consumer shows up as a growing queue.
    const end = this.queue.length;
    while (this.head < end && !this.disposed) {
      const packet = this.queue[this.head];
      this.queue[this.head] = undefined as unknown as MediaPacket;
      this.head += 1;
      this.queuedBytes -= packet.payload.length;
      this.options.deliver(packet);
    }
    if (this.disposed) return;
    if (this.head >= this.queue.length) {
      this.queue = [];
      this.head = 0;
      const done = this.onDrained;
      this.onDrained = undefined;
      done?.();
    } else {
      this.schedule();
    }
  }
}
