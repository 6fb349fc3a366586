import { FlvWriter } from '../protocol/flv/flv.writer';
import { FlvPacketWriter } from '../media/flv-packet-writer';
import { LiveStream, StreamEnd } from './live-stream';
import { KeyframeGate } from '../media/keyframe-gate';
import { isConfigurationPacket, MediaPacket } from '../media/media-packet';
import { RecordingFile } from './recording-file';
import { RecordingFileError } from './recording-file.error';

export interface FlvRecorderOptions {
  /**
   * Most bytes waiting for the disk. Past it, media is dropped until a decoder can start
   * again (the next keyframe; the next audio frame without video), so a slow disk never makes
   * the ingest's memory grow; metadata and sequence headers are always written. Default 8 MiB.
   */
  readonly maxQueuedBytes?: number;
  /** Replace a file already at the path; by default the recording fails with EEXIST instead. */
  readonly overwrite?: boolean;
}

export interface RecordingSummary {
  readonly path: string;
  /** Bytes handed to the file (all on disk, unless `error` is set). */
  readonly bytes: number;
  readonly tags: number;
  readonly droppedPackets: number;
  /** How the stream ended; undefined when the file failed first (see `error`). */
  readonly end: StreamEnd | undefined;
  /** Why the recording stopped early: its file failed. The stream itself went on. */
  readonly error?: RecordingFileError;
}

const DEFAULT_MAX_QUEUED_BYTES = 8 * 1024 * 1024;

/**
 * Records a live stream to an FLV file: the cached metadata and sequence headers first (so a
 * recording started mid-stream plays), then every packet, bodies written as they arrived.
 * Timestamps are rebased so the file starts at 0. `finished` resolves when the stream ends and
 * the file is closed, or as soon as the file fails (see RecordingFile); it never rejects.
 * `recordingPath` gives a path that is safe and holds no stream key.
 */
export class FlvStreamRecorder {
  readonly finished: Promise<RecordingSummary>;
  private readonly file: RecordingFile;
  private readonly writer: FlvWriter;
  private readonly packets: FlvPacketWriter;
  private readonly maxQueuedBytes: number;
  private readonly stopListening: () => void;
  private resolveFinished: (summary: RecordingSummary) => void = () => undefined;
  private done = false;
  private tags = 0;
  private dropped = 0;
  private readonly gate: KeyframeGate;

  constructor(
    stream: LiveStream,
    readonly path: string,
    options: FlvRecorderOptions = {},
  ) {
    this.maxQueuedBytes = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
    this.file = new RecordingFile(path, {
      // The key, whatever the stream's public name: it must never show in a message.
      streamName: stream.request.streamName,
      overwrite: options.overwrite,
      onError: () => this.finish(undefined),
    });
    this.writer = new FlvWriter((chunk) => this.file.write(chunk), { audio: true, video: true });
    this.packets = new FlvPacketWriter(this.writer);
    // Started mid-stream, the file starts where a decoder can; from the stream's start, with it.
    this.gate = new KeyframeGate({
      startInGap: stream.mediaStarted,
      isGopStart: (packet) => stream.isGopStart(packet),
    });
    // Metadata, then every track's header and the latest E-RTMP colorInfo/MultichannelConfig.
    const { metadata } = stream;
    if (metadata !== undefined) this.write(metadata);
    for (const packet of stream.decoderConfiguration) this.onPacket(packet);
    const stopPackets = stream.onPacket((packet) => this.onPacket(packet));
    const stopEnd = stream.onEnd((end) => this.finish(end));
    this.stopListening = () => {
      stopPackets();
      stopEnd();
    };
  }

  /** Once: the stream's end and the file's failure may both come, in either order. */
  private finish(end: StreamEnd | undefined): void {
    if (this.done) return;
    this.done = true;
    this.stopListening();
    if (end !== undefined) this.writer.writeHeader();
    void this.file.close().then((error) =>
      this.resolveFinished({
        path: this.path,
        bytes: this.writer.bytesWritten,
        tags: this.tags,
        droppedPackets: this.dropped,
        end,
        ...(error === undefined ? {} : { error }),
      }),
    );
  }

  /** Configuration always goes to the file; media where the gate lets it (see KeyframeGate). */
  private onPacket(packet: MediaPacket): void {
    // The disk is behind: skip media, and resume where a decoder can.
    const behind = this.file.queuedBytes > this.maxQueuedBytes && !isConfigurationPacket(packet);
    if (behind) this.gate.gap();
    if (behind || !this.gate.admits(packet)) {
      this.dropped += 1;
      return;
    }
    this.write(packet);
  }

  private write(packet: MediaPacket): void {
    this.packets.write(packet);
    this.tags += 1;
  }
}
