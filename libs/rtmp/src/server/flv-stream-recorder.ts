import { createWriteStream, mkdirSync, WriteStream } from 'fs';
import { dirname } from 'path';
import { FlvWriter } from '../protocol/flv/flv.writer';
import { FlvPacketWriter } from './flv-packet-writer';
import { LiveStream, StreamEnd } from './live-stream';
import { MediaPacket } from './media-packet';

export interface FlvRecorderOptions {
  /**
   * Most bytes waiting for the disk. Past it, packets are dropped until the next video
   * keyframe, so a slow disk never makes the ingest's memory grow. Default 8 MiB.
   */
  readonly maxQueuedBytes?: number;
}

export interface RecordingSummary {
  readonly path: string;
  readonly bytes: number;
  readonly tags: number;
  readonly droppedPackets: number;
  readonly end: StreamEnd;
}

const DEFAULT_MAX_QUEUED_BYTES = 8 * 1024 * 1024;

/**
 * Records a live stream to an FLV file: the cached metadata and sequence headers first (so a
 * recording started mid-stream plays), then every packet, bodies written as they arrived.
 * Timestamps are rebased so the file starts at 0.
 */
export class FlvStreamRecorder {
  readonly finished: Promise<RecordingSummary>;
  private readonly file: WriteStream;
  private readonly writer: FlvWriter;
  private readonly packets: FlvPacketWriter;
  private readonly maxQueuedBytes: number;
  private tags = 0;
  private dropped = 0;
  private waitingForKeyFrame = false;

  constructor(
    stream: LiveStream,
    readonly path: string,
    options: FlvRecorderOptions = {},
  ) {
    this.maxQueuedBytes = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
    mkdirSync(dirname(path), { recursive: true });
    this.file = createWriteStream(path);
    this.writer = new FlvWriter((chunk) => this.file.write(chunk), { audio: true, video: true });
    this.packets = new FlvPacketWriter(this.writer);
    // Metadata, then every track's header and the latest E-RTMP colorInfo/MultichannelConfig.
    const { metadata } = stream;
    if (metadata !== undefined) this.write(metadata);
    for (const packet of stream.decoderConfiguration) this.write(packet);
    const stop = stream.onPacket((packet) => this.onPacket(packet));
    this.finished = new Promise((resolve, reject) => {
      this.file.once('error', reject);
      stream.onEnd((end) => {
        stop();
        this.writer.writeHeader();
        this.file.end(() =>
          resolve({
            path,
            bytes: this.writer.bytesWritten,
            tags: this.tags,
            droppedPackets: this.dropped,
            end,
          }),
        );
      });
    });
  }

  private onPacket(packet: MediaPacket): void {
    if (this.file.writableLength > this.maxQueuedBytes) this.waitingForKeyFrame = true;
    if (this.waitingForKeyFrame) {
      const resumes = packet.type === 'video' && packet.tag.isKeyFrame;
      if (!resumes) {
        this.dropped += 1;
        return;
      }
      this.waitingForKeyFrame = false;
    }
    this.write(packet);
  }

  private write(packet: MediaPacket): void {
    this.packets.write(packet);
    this.tags += 1;
  }
}
