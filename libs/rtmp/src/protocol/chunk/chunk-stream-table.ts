import { ProtocolLimitError } from '../errors/protocol-limit.error';
import { RtmpErrorCode } from '../errors/rtmp-error-code';
import { ChunkStreamState } from './chunk-stream-state';
import { LOW_CHUNK_STREAM_IDS } from './chunk.constants';

/** Slots the low chunk-stream table starts with: ids 0..9 cover FFmpeg and OBS. */
const INITIAL_LOW_SLOTS = 10;

/** The chunk streams a reader has seen, by id, as many as `maxChunkStreams` allows. */
export class ChunkStreamTable {
  /**
   * Chunk streams by id below {@link LOW_CHUNK_STREAM_IDS}, grown as ids are opened: encoders use
   * two to five of them (FFmpeg 2, 3, 4, 8, 9), so an idle connection need not hold 64 slots.
   */
  private readonly low: (ChunkStreamState | undefined)[] = new Array(INITIAL_LOW_SLOTS);
  /** The rare higher ids; created on the first one. */
  private high: Map<number, ChunkStreamState> | undefined;
  private opened = 0;

  get count(): number {
    return this.opened;
  }

  lookup(chunkStreamId: number): ChunkStreamState | undefined {
    return chunkStreamId < LOW_CHUNK_STREAM_IDS
      ? this.low[chunkStreamId]
      : this.high?.get(chunkStreamId);
  }

  /** Opens chunk stream `chunkStreamId`; throws when `maxChunkStreams` are open already. */
  open(chunkStreamId: number, maxChunkStreams: number): ChunkStreamState {
    if (this.opened >= maxChunkStreams) {
      throw new ProtocolLimitError(
        RtmpErrorCode.ChunkStreamsExceeded,
        'maxChunkStreams',
        this.opened + 1,
        maxChunkStreams,
      );
    }
    const state = new ChunkStreamState(chunkStreamId);
    if (chunkStreamId < LOW_CHUNK_STREAM_IDS) this.low[chunkStreamId] = state;
    else (this.high ??= new Map()).set(chunkStreamId, state);
    this.opened += 1;
    return state;
  }

  forEach(visit: (state: ChunkStreamState) => void): void {
    for (const state of this.low) if (state !== undefined) visit(state);
    if (this.high !== undefined) for (const state of this.high.values()) visit(state);
  }
}
