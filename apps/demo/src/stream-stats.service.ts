import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Subscription } from 'rxjs';
import { MediaPacket, redactStreamKey, RtmpServerService, RtmpStream } from '../../../src';
import { DemoConfig } from './demo-config';

/** What the stats service has counted for one stream since its last report. */
interface StreamWindow {
  /** The stream's label (`app/<public name>`): what the logs call the stream. */
  readonly label: string;
  videoCodec?: string;
  audioCodec?: string;
  width?: number;
  height?: number;
  bytes: number;
  videoFrames: number;
  since: number;
}

/**
 * A consumer of packet observables: every few seconds, logs each live stream's codecs,
 * resolution, bitrate and frame rate, measured from the packets themselves.
 */
@Injectable()
export class StreamStatsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(StreamStatsService.name);
  private readonly subscriptions = new Subscription();
  private readonly windows = new Map<string, StreamWindow>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly rtmp: RtmpServerService,
    private readonly config: DemoConfig,
  ) {}

  onModuleInit(): void {
    this.subscriptions.add(this.rtmp.streamStarted$.subscribe((stream) => this.follow(stream)));
    this.timer = setInterval(() => this.report(), this.config.statsIntervalMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.subscriptions.unsubscribe();
  }

  /** The latest measurements of a stream, for tests and the final report. */
  snapshot(key: string): Readonly<StreamWindow> | undefined {
    return this.windows.get(key);
  }

  private follow(stream: RtmpStream): void {
    const { label } = stream;
    const window: StreamWindow = { label, bytes: 0, videoFrames: 0, since: Date.now() };
    this.windows.set(stream.key, window);
    this.subscriptions.add(
      this.rtmp.packets(stream.app, stream.name).subscribe({
        next: (packet) => this.count(window, packet),
        complete: () => {
          this.logger.log(`${label} ended`);
          this.windows.delete(stream.key);
        },
        error: (error: Error) => {
          const why = redactStreamKey(error.message, stream.request.streamName);
          this.logger.warn(`${label} failed: ${why}`);
          this.windows.delete(stream.key);
        },
      }),
    );
  }

  private count(window: StreamWindow, packet: MediaPacket): void {
    window.bytes += packet.payload.length;
    if (packet.type === 'metadata') {
      const width = packet.metadata?.width;
      const height = packet.metadata?.height;
      if (typeof width === 'number') window.width = width;
      if (typeof height === 'number') window.height = height;
    } else if (packet.type === 'video') {
      if (packet.tag.kind === 'video' && 'codec' in packet.tag)
        window.videoCodec = packet.tag.codec;
      if (!packet.tag.isSequenceHeader) window.videoFrames += 1;
    } else if ('codec' in packet.tag) {
      window.audioCodec = packet.tag.codec;
    }
  }

  private report(): void {
    const now = Date.now();
    for (const window of this.windows.values()) {
      const seconds = Math.max(0.001, (now - window.since) / 1000);
      const size = window.width !== undefined ? `${window.width}x${window.height}` : 'unknown size';
      this.logger.log(
        `${window.label}: video ${window.videoCodec ?? 'none'} ${size}, ` +
          `audio ${window.audioCodec ?? 'none'}, ${((window.bytes * 8) / seconds / 1000).toFixed(0)} kbit/s, ` +
          `${(window.videoFrames / seconds).toFixed(1)} fps`,
      );
      window.bytes = 0;
      window.videoFrames = 0;
      window.since = now;
    }
  }
}
