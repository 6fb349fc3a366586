import { MessageType } from '../protocol/message/message-type';
import { GopBlockPool } from './gop-block-pool';
import { AudioPacket, mediaPacketOf, VideoPacket } from '../media/media-packet';

/** Bounds of a stream's GOP cache (see `RtmpServerOptions.gopCache`). */
export interface GopCacheLimits {
  readonly enabled: boolean;
  readonly maxFrames: number;
  readonly maxBytes: number;
}

/**
 * Size of the blocks a GOP cache copies payloads into. Small against a GOP (a 2 s GOP at
 * 2.5 Mbit/s is ~640 KB), so the unused tail of the last block stays small; large against a
 * message, so most messages are one copy into one block.
 */
export const GOP_CACHE_BLOCK_BYTES = 64 * 1024;

/**
 * Payloads at least this large are kept as they are when they make up most of their memory
 * (a message the chunk reader assembled, or one that filled most of a socket read): copying
 * them would cost CPU (they are most of an ingest's bytes: a sizeable share of the server's
 * cost per byte) and save little, as one such buffer per 32 KB of media is too few
 * objects to matter to the garbage collector, and what it pins besides itself is less than
 * its own size.
 *
 * Keyframes are the exception: always copied. A keyframe lives as long as its GOP, long
 * enough for V8 to promote its buffer to the old generation, where it waits for a rare full
 * collection after the GOP ends. With many streams and a small young generation
 * (`--max-semi-space-size=1`), copying them lowered peak RSS once the server had warmed up
 * (bench/profile-notes.md, "keyframes copied"). They are a few percent of a stream's bytes,
 * so the ingest flood, whose other large frames stay kept, costs no more.
 */
export const GOP_CACHE_KEEP_AS_IS_BYTES = 32 * 1024;

/** The pool every GOP cache of the process draws its blocks from, unless given another. */
export const sharedGopBlockPool = new GopBlockPool(GOP_CACHE_BLOCK_BYTES);

/** Messages a cache has room for before its per-message arrays first grow. */
const INITIAL_MESSAGE_CAPACITY = 128;

/**
 * The current GOP of one live stream: every audio and video message since the last keyframe,
 * for players that join and relays that connect, so they start at once instead of waiting for
 * the next keyframe.
 *
 * Why it copies: a live server holds every stream's GOP, about 2 s of media, at all times.
 * Held as the publisher's packets (objects, views of socket buffers), each message survived
 * V8's young-generation collections, got promoted, and died in old space GOP after GOP:
 * V8 grew its young generation to the maximum and dropped GOPs waited for major collections,
 * so RSS grew far past the media it held (bench/profile-notes.md). Here the payload bytes
 * are copied into blocks drawn from a {@link GopBlockPool} and given back to it, and each
 * message's fields into typed arrays: a cached message is no JS object, the publisher's
 * buffers (views of socket reads) die young, and the memory is the media plus under one block
 * per stream (plus the pool's free blocks). No view of a block ever leaves this class.
 * Large payloads that make up most of their memory, keyframes apart, are the exception (see
 * {@link GOP_CACHE_KEEP_AS_IS_BYTES}): kept as delivered, so a payload must not be written to
 * once delivered (the session never does; nor may a LocalPublisher's caller).
 *
 * Players that join are replayed copies, shared by those of one GOP ({@link packets}).
 */
export class GopCache {
  private readonly blocks: Buffer[] = [];
  private messageCount = 0;
  /** Payload bytes cached, those kept as delivered included. */
  private byteCount = 0;
  /** Bytes written to the blocks: also where the next copied payload goes. */
  private blockedBytes = 0;
  /** Per message (uint32 milliseconds, as RTMP carries them). */
  private timestamps!: Uint32Array;
  private typeIds!: Uint8Array;
  /** Where a copied payload starts in the blocks. */
  private offsets!: Float64Array;
  private lengths!: Uint32Array;
  /** Index in `keptPayloads` of a payload kept as delivered; -1 for one copied. */
  private keptIndexes!: Int32Array;
  private keptPayloads: Buffer[] = [];
  /** The first messages of this GOP as copied out for players that joined (see packets). */
  private replayPackets: (AudioPacket | VideoPacket)[] = [];
  /** A message of this GOP could not be parsed again: nothing of it is replayed. */
  private unreplayable = false;
  /** The cache holds the stream's lead-in (audio before its first video frame; see appendLeadIn). */
  private leadIn = false;

  private readonly blockBytes: number;

  constructor(
    private readonly limits: GopCacheLimits,
    private readonly pool: GopBlockPool = sharedGopBlockPool,
    private readonly keepAsIsBytes = GOP_CACHE_KEEP_AS_IS_BYTES,
  ) {
    this.blockBytes = pool.blockBytes;
    this.allocateMessageArrays();
  }

  /** Messages cached (0 with no keyframe yet, or after a GOP outgrew the limits). */
  get length(): number {
    return this.messageCount;
  }

  /** Payload bytes cached. */
  get byteLength(): number {
    return this.byteCount;
  }

  /** Memory held for payloads: whole blocks, kept from one GOP to the next. */
  get capacityBytes(): number {
    return this.blocks.length * this.blockBytes;
  }

  /**
   * Starts a new GOP with `keyFrame`. A keyframe larger than the whole byte budget is not
   * cached either (the bound is strict): the cache stays empty until the next one.
   */
  startGop(keyFrame: VideoPacket): void {
    if (!this.limits.enabled) return;
    if (this.leadIn) {
      // The stream's first keyframe continues its lead-in: one GOP from the stream's start.
      this.leadIn = false;
      this.append(keyFrame);
      if (this.messageCount > 0) return;
    }
    // Keep as many blocks as the GOP that just ended filled: the next one is likely alike.
    this.releaseBlocksFrom(Math.ceil(this.blockedBytes / this.blockBytes));
    this.empty();
    if (keyFrame.payload.length > this.limits.maxBytes) return;
    this.push(keyFrame);
  }

  /**
   * Adds a message to the current GOP, if there is one. One that would take the GOP past
   * `maxFrames` or `maxBytes` empties the cache: players that join then wait for the next
   * keyframe, as they would with no cache.
   */
  append(packet: AudioPacket | VideoPacket): void {
    if (this.messageCount === 0) return; // no keyframe yet, or the GOP was dropped
    if (this.leadIn && packet.type === 'video') {
      // Video that does not start with a keyframe: nobody can start at the lead-in after all.
      this.clear();
      return;
    }
    const { maxFrames, maxBytes } = this.limits;
    if (this.messageCount >= maxFrames || this.byteCount + packet.payload.length > maxBytes) {
      this.clear();
      return;
    }
    this.push(packet);
  }

  /**
   * Caches audio that comes before a stream's first video frame, when the stream has announced
   * video (sent its sequence header): encoders send some (FFmpeg's AAC encoder primes one frame
   * ahead of the first video frame). The first keyframe then continues this lead-in instead of
   * starting a GOP, so a player or relay that starts during the stream's first GOP gets every
   * frame from the very first, as a recording of the stream would. Bounded like any GOP.
   */
  appendLeadIn(packet: AudioPacket): void {
    if (!this.limits.enabled) return;
    if (this.messageCount > 0) {
      if (this.leadIn) this.append(packet);
      return;
    }
    this.empty();
    if (packet.payload.length > this.limits.maxBytes) return;
    this.leadIn = true;
    this.push(packet);
  }

  /** Empties the cache and gives its memory back. */
  clear(): void {
    this.empty();
    this.releaseBlocksFrom(0);
    // A GOP of many messages (maxFrames allows it) leaves no large arrays behind.
    if (this.timestamps.length > INITIAL_MESSAGE_CAPACITY) this.allocateMessageArrays();
  }

  private empty(): void {
    this.messageCount = 0;
    this.byteCount = 0;
    this.blockedBytes = 0;
    this.keptPayloads = [];
    this.replayPackets = [];
    this.unreplayable = false;
    this.leadIn = false;
  }

  /**
   * The cached messages as packets, keyframe first. Their payloads are views of copies made
   * for replay, which nothing ever writes to again (a player's socket may hold them for a
   * while): safe to keep. Players that join during one GOP share those copies: a call copies
   * only the messages that arrived since the previous one, so a GOP is held at most twice.
   *
   * Headers are parsed again from the bytes (keeping the delivered packets' objects is what
   * this class avoids). Every packet the session delivers was parsed from its payload, so this
   * cannot fail for it; a LocalPublisher's caller might deliver a tag its payload does not
   * hold: then the GOP is not replayed at all, and joining players wait for the next keyframe
   * as they would without a cache, instead of getting a GOP with a hole in it.
   */
  packets(): (AudioPacket | VideoPacket)[] {
    const count = this.messageCount;
    const replay = this.replayPackets;
    const from = replay.length;
    if (this.unreplayable) return [];
    if (from === count) return replay.slice();
    // The copied payloads of the new messages lie one after another in the blocks.
    let start = this.blockedBytes;
    for (let index = from; index < count; index += 1) {
      if (this.keptIndexes[index] < 0) {
        start = this.offsets[index];
        break;
      }
    }
    const copy = this.copyOut(start, this.blockedBytes);
    for (let index = from; index < count; index += 1) {
      const kept = this.keptIndexes[index];
      const offset = this.offsets[index] - start;
      const payload =
        kept >= 0 ? this.keptPayloads[kept] : copy.subarray(offset, offset + this.lengths[index]);
      try {
        replay.push(
          mediaPacketOf({
            typeId: this.typeIds[index],
            timestamp: this.timestamps[index],
            payload,
          }),
        );
      } catch {
        this.unreplayable = true;
        this.replayPackets = [];
        return [];
      }
    }
    return replay.slice();
  }

  private push(packet: AudioPacket | VideoPacket): void {
    const index = this.messageCount;
    if (index === this.timestamps.length) this.growMessageArrays();
    const { payload } = packet;
    this.timestamps[index] = packet.timestamp;
    this.typeIds[index] = packet.type === 'audio' ? MessageType.Audio : MessageType.Video;
    this.lengths[index] = payload.length;
    this.offsets[index] = this.blockedBytes;
    // Keyframes are copied whatever their size (see GOP_CACHE_KEEP_AS_IS_BYTES).
    const isKeyFrame = packet.type === 'video' && packet.tag.isKeyFrame;
    if (!isKeyFrame && payload.length >= this.keepAsIsBytes && isMostOfItsMemory(payload)) {
      this.keptIndexes[index] = this.keptPayloads.push(payload) - 1;
    } else {
      this.keptIndexes[index] = -1;
      this.copyIn(payload);
    }
    this.messageCount = index + 1;
    this.byteCount += payload.length;
  }

  /** Appends `payload` at `blockedBytes`, across as many blocks as it needs. */
  private copyIn(payload: Buffer): void {
    const { blockBytes } = this;
    let copied = 0;
    while (copied < payload.length) {
      const blockIndex = Math.floor(this.blockedBytes / blockBytes);
      if (blockIndex === this.blocks.length) this.blocks.push(this.pool.take());
      const at = this.blockedBytes - blockIndex * blockBytes;
      const count = Math.min(blockBytes - at, payload.length - copied);
      payload.copy(this.blocks[blockIndex], at, copied, copied + count);
      copied += count;
      this.blockedBytes += count;
    }
  }

  /** Cached payload bytes `start` to `end`, contiguous, in a buffer of their own. */
  private copyOut(start: number, end: number): Buffer {
    const { blockBytes } = this;
    const copy = Buffer.allocUnsafeSlow(end - start);
    let at = start;
    while (at < end) {
      const blockIndex = Math.floor(at / blockBytes);
      const inBlock = at - blockIndex * blockBytes;
      const count = Math.min(blockBytes - inBlock, end - at);
      this.blocks[blockIndex].copy(copy, at - start, inBlock, inBlock + count);
      at += count;
    }
    return copy;
  }

  private allocateMessageArrays(): void {
    this.timestamps = new Uint32Array(INITIAL_MESSAGE_CAPACITY);
    this.typeIds = new Uint8Array(INITIAL_MESSAGE_CAPACITY);
    this.offsets = new Float64Array(INITIAL_MESSAGE_CAPACITY);
    this.lengths = new Uint32Array(INITIAL_MESSAGE_CAPACITY);
    this.keptIndexes = new Int32Array(INITIAL_MESSAGE_CAPACITY);
  }

  private growMessageArrays(): void {
    const grown = <T extends Uint8Array | Uint32Array | Int32Array | Float64Array>(array: T): T => {
      const bigger = new (array.constructor as new (length: number) => T)(array.length * 2);
      bigger.set(array);
      return bigger;
    };
    this.timestamps = grown(this.timestamps);
    this.typeIds = grown(this.typeIds);
    this.offsets = grown(this.offsets);
    this.lengths = grown(this.lengths);
    this.keptIndexes = grown(this.keptIndexes);
  }

  private releaseBlocksFrom(keep: number): void {
    while (this.blocks.length > keep) this.pool.give(this.blocks.pop() as Buffer);
  }
}

/** Whether `payload` is at least half of its memory: keeping it pins less than itself. */
function isMostOfItsMemory(payload: Buffer): boolean {
  return payload.length * 2 >= payload.buffer.byteLength;
}
