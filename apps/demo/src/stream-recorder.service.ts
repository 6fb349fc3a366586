import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Subscription } from 'rxjs';
import {
  FlvPacketWriter,
  FlvWriter,
  RecordingFile,
  RecordingFileError,
  recordingPath,
  redactStreamKey,
  RtmpServerService,
  RtmpStream,
} from '../../../src';
import { DemoConfig } from './demo-config';

/** A finished recording: where it was written, and why it stopped early, if it did. */
export interface DemoRecording {
  readonly path: string;
  readonly error?: RecordingFileError;
}

/**
 * Records every accepted stream to an FLV file from its packet observable, at the library's
 * `recordingPath`: RECORD_DIR/<app>/<public name>-<start time>-s<session id>.flv (app and name
 * encoded; without a public name, no name at all), never the key.
 * Timestamps are rebased so each file starts at 0. The file is closed when the publisher
 * leaves, or when the application closes. A file that cannot be written ends that recording
 * with a logged error; the stream, the other recordings and the process go on.
 */
@Injectable()
export class StreamRecorderService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(StreamRecorderService.name);
  private readonly subscriptions = new Subscription();
  private readonly finished = new Map<string, Promise<DemoRecording>>();
  /** Closes each recording still open (idempotent). */
  private readonly open = new Set<() => void>();

  constructor(
    private readonly rtmp: RtmpServerService,
    private readonly config: DemoConfig,
  ) {}

  onModuleInit(): void {
    const recordDir = this.config.recordDir;
    if (recordDir === undefined) return;
    this.logger.log(`recording accepted streams under ${recordDir}`);
    this.subscriptions.add(
      this.rtmp.streamStarted$.subscribe((stream) => this.record(recordDir, stream)),
    );
  }

  /** Stops recording and closes the files of streams still live, so none is left open. */
  async onModuleDestroy(): Promise<void> {
    this.subscriptions.unsubscribe();
    for (const close of this.open) close();
    await Promise.all(this.finished.values());
  }

  /**
   * Resolves once the recording of `key` (`app/name`, the stream's public name) is closed, with
   * its path.
   */
  recording(key: string): Promise<DemoRecording> | undefined {
    return this.finished.get(key);
  }

  private record(recordDir: string, stream: RtmpStream): void {
    const path = recordingPath(recordDir, stream);
    const { label } = stream;
    let close = (): void => undefined;
    const file = new RecordingFile(path, {
      // The key, masked wherever a message would quote it.
      streamName: stream.request.streamName,
      onError: (error) => {
        this.logger.error(`recording of ${label} failed: ${error.message}`);
        close();
      },
    });
    const writer = new FlvWriter((chunk) => file.write(chunk), { audio: true, video: true });
    const packets = new FlvPacketWriter(writer);
    this.logger.log(`recording ${label} to ${path}`);
    this.finished.set(
      stream.key,
      new Promise((resolve) => {
        const media = new Subscription();
        close = (): void => {
          if (!this.open.delete(close)) return;
          media.unsubscribe();
          this.subscriptions.remove(media);
          writer.writeHeader();
          void file
            .close()
            .then((error) => resolve(error === undefined ? { path } : { path, error }));
        };
        this.open.add(close);
        media.add(
          this.rtmp.packets(stream.app, stream.name).subscribe({
            next: (packet) => packets.write(packet),
            complete: close,
            error: (error: Error) => {
              const why = redactStreamKey(error.message, stream.request.streamName);
              this.logger.warn(`recording of ${label} cut short: ${why}`);
              close();
            },
          }),
        );
        this.subscriptions.add(media);
      }),
    );
  }
}
