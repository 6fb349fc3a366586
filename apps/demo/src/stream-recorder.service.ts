import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { createWriteStream, mkdirSync } from 'fs';
import { join } from 'path';
import { Subscription } from 'rxjs';
import {
  FlvPacketWriter,
  FlvWriter,
  maskStreamKey,
  MediaPacket,
  RtmpServerService,
  RtmpStream,
} from '../../../src';
import { DemoConfig } from './demo-config';

/** Where a stream is recorded: RECORD_DIR/<app>/<stream>-<start time>.flv. */
export function recordingPath(recordDir: string, stream: RtmpStream): string {
  const started = stream.startedAt.toISOString().replace(/[:.]/g, '-');
  return join(recordDir, stream.app, `${stream.name}-${started}.flv`);
}

/**
 * Records every accepted stream to an FLV file from its packet observable. Timestamps are
 * rebased so each file starts at 0. The file is closed when the publisher leaves, or when the
 * application closes.
 */
@Injectable()
export class StreamRecorderService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(StreamRecorderService.name);
  private readonly subscriptions = new Subscription();
  private readonly finished = new Map<string, Promise<string>>();
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

  /** Resolves with the file's path once the recording of `key` is closed. */
  recording(key: string): Promise<string> | undefined {
    return this.finished.get(key);
  }

  private record(recordDir: string, stream: RtmpStream): void {
    const path = recordingPath(recordDir, stream);
    mkdirSync(join(recordDir, stream.app), { recursive: true });
    const file = createWriteStream(path);
    const writer = new FlvWriter((chunk) => file.write(chunk), { audio: true, video: true });
    const packets = new FlvPacketWriter(writer);
    const write = (packet: MediaPacket): void => packets.write(packet);
    const label = `${stream.app}/${maskStreamKey(stream.name)}`;
    this.logger.log(`recording ${label}`);
    this.finished.set(
      stream.key,
      new Promise((resolve) => {
        const close = (): void => {
          if (!this.open.delete(close)) return;
          writer.writeHeader();
          file.end(() => resolve(path));
        };
        this.open.add(close);
        this.subscriptions.add(
          this.rtmp.packets(stream.app, stream.name).subscribe({
            next: write,
            complete: close,
            error: (error: Error) => {
              this.logger.warn(`recording of ${label} cut short: ${error.message}`);
              close();
            },
          }),
        );
      }),
    );
  }
}
