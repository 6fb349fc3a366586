/*
 * The load generator of the publisher → player latency scenario, in a process of its own so
 * that it is the same load whatever the server: this repository's RtmpPublishClient publishes
 * an FLV clip's tags in real time (looped), and its RtmpPlayClient plays the stream back. One
 * process, one clock: each audio and video message the player reads is matched to the time
 * the publisher wrote it. The bench (./latency-probe.ts) asks for windows over IPC
 * (./latency-probe-ipc.ts).
 *
 *   node .bench-work/build/bench/support/latency-probe-process.js
 *   (compiled by the bench with the servers, see compileServers)
 */
import { readFileSync } from 'fs';
import { RtmpPlayClient } from '../../libs/rtmp/src/client/rtmp-play-client';
import { RtmpPublishClient } from '../../libs/rtmp/src/client/rtmp-publish-client';
import { isConfigurationPacket, mediaPacketOf } from '../../libs/rtmp/src/media/media-packet';
import { FlvTag } from '../../libs/rtmp/src/protocol/flv/flv-file.types';
import { readFlvFile } from '../../libs/rtmp/src/protocol/flv/read-flv-file';
import { MessageType } from '../../libs/rtmp/src/protocol/message/message-type';
import { ProbeRequest, ProbeWindow } from './latency-probe-ipc';
import { announceReady, answerParent } from './parent-channel';
import { quantile, sleep } from './util';

/** After a window's last write: time for its last messages to arrive before it is summed up. */
const GRACE_MS = 500;

/** A message the publisher wrote in a window. */
interface Written {
  readonly at: number;
  readonly payload: Buffer;
}

/**
 * One measured window. A read is matched to the earliest write of the same type with the same
 * bytes that is not matched yet: the servers relay payloads byte-exact and in order (the
 * clip's audio frames are all different), whatever they do to timestamps. Writes skipped over
 * were not delivered; reads that match nothing were written before the window.
 */
class MeasuredWindow {
  private readonly written = { audio: [] as Written[], video: [] as Written[] };
  private readonly next = { audio: 0, video: 0 };
  private readonly latencies: number[] = [];
  private writing = true;

  wrote(type: 'audio' | 'video', payload: Buffer, at: number): void {
    if (this.writing) this.written[type].push({ at, payload });
  }

  read(type: 'audio' | 'video', payload: Buffer, at: number): void {
    const written = this.written[type];
    for (let index = this.next[type]; index < written.length; index += 1) {
      if (written[index].payload.equals(payload)) {
        this.latencies.push(at - written[index].at);
        this.next[type] = index + 1;
        return;
      }
    }
  }

  /** No more writes: what is read from now on finishes the window. */
  endWrites(): void {
    this.writing = false;
  }

  summary(failure: string | undefined): ProbeWindow {
    const sorted = Float64Array.from(this.latencies).sort();
    return {
      sent: this.written.audio.length + this.written.video.length,
      received: sorted.length,
      p50: quantile(sorted, 0.5),
      p90: quantile(sorted, 0.9),
      p99: quantile(sorted, 0.99),
      max: sorted.length === 0 ? NaN : sorted[sorted.length - 1],
      failure,
    };
  }
}

/** A tag's message type as the player names it; undefined for data. */
function mediaType(tag: FlvTag): 'audio' | 'video' | undefined {
  if (tag.type === MessageType.Audio) return 'audio';
  if (tag.type === MessageType.Video) return 'video';
  return undefined;
}

/** Sends the clip's media tags at their own rate, over and over, from its first media tag. */
class Pacer {
  private readonly startedAt = performance.now();
  private readonly first: number;
  /** One lap of the clip, ms: from its first media tag to one frame past its last. */
  private readonly lap: number;
  private position = 0;
  private laps = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly media: readonly FlvTag[],
    private readonly send: (tag: FlvTag, timestamp: number) => void,
  ) {
    const video = media.filter((tag) => tag.type === MessageType.Video);
    const frame = video.at(-1)!.timestamp - video.at(-2)!.timestamp;
    this.first = media[0].timestamp;
    this.lap = media.at(-1)!.timestamp - this.first + frame;
    this.pace();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  /** When the next tag is due, ms after the start. */
  private due(): number {
    return this.laps * this.lap + this.media[this.position].timestamp - this.first;
  }

  private pace(): void {
    while (this.due() <= performance.now() - this.startedAt) {
      const tag = this.media[this.position];
      this.send(tag, tag.timestamp + this.laps * this.lap);
      this.position += 1;
      if (this.position === this.media.length) {
        this.position = 0;
        this.laps += 1;
      }
    }
    const wait = this.due() - (performance.now() - this.startedAt);
    this.timer = setTimeout(() => this.pace(), Math.max(0, wait));
  }
}

let publisher: RtmpPublishClient | undefined;
let player: RtmpPlayClient | undefined;
let pacer: Pacer | undefined;
let measured: MeasuredWindow | undefined;
let failure: string | undefined;
let closing = false;

function failed(who: string): (cause: Error | undefined) => void {
  return (cause) => {
    if (!closing) failure ??= `the ${who} closed: ${cause?.message ?? 'cleanly'}`;
  };
}

async function start(clip: string, url: string): Promise<void> {
  const tags = readFlvFile(readFileSync(clip)).tags;
  // Metadata and sequence headers once, as a publisher sends them; the rest is media, looped.
  const configures = (tag: FlvTag): boolean => {
    const type = mediaType(tag);
    return (
      type === undefined ||
      isConfigurationPacket(
        mediaPacketOf({ typeId: tag.type, timestamp: tag.timestamp, payload: tag.body }),
      )
    );
  };
  const client = new RtmpPublishClient({ url });
  publisher = client;
  client.onClose(failed('publisher'));
  await client.connect();
  for (const tag of tags.filter(configures)) {
    if (tag.type === MessageType.DataAmf0) client.sendMetadata(tag.body);
    else if (tag.type === MessageType.Audio) client.sendAudio(tag.timestamp, tag.body, true);
    else if (tag.type === MessageType.Video) client.sendVideo(tag.timestamp, tag.body, true);
  }
  pacer = new Pacer(
    tags.filter((tag) => mediaType(tag) !== undefined && !configures(tag)),
    (tag, timestamp) => {
      const at = performance.now();
      const sent =
        tag.type === MessageType.Audio
          ? client.sendAudio(timestamp, tag.body)
          : client.sendVideo(timestamp, tag.body);
      if (sent) measured?.wrote(mediaType(tag)!, tag.body, at);
    },
  );

  player = new RtmpPlayClient({ url });
  player.onPacket((packet) => {
    const at = performance.now();
    if (packet.type !== 'metadata') measured?.read(packet.type, packet.payload, at);
  });
  player.onClose(failed('player'));
  await player.connect();
}

async function measure(windowMs: number): Promise<ProbeWindow> {
  const measuring = new MeasuredWindow();
  measured = measuring;
  await sleep(windowMs);
  measuring.endWrites();
  await sleep(GRACE_MS);
  measured = undefined;
  return measuring.summary(failure);
}

async function close(): Promise<void> {
  closing = true;
  pacer?.stop();
  await Promise.all([player?.close(), publisher?.close()]);
}

answerParent<ProbeRequest>(async (request): Promise<{ window?: ProbeWindow; error?: string }> => {
  switch (request.type) {
    case 'start':
      // A failure goes back to the bench, which ends the scenario with it.
      return start(request.clip, request.url).then(
        () => ({}),
        (error: unknown) => ({ error: String(error) }),
      );
    case 'measure':
      return { window: await measure(request.windowMs) };
    case 'close':
      await close();
      return {};
  }
});
announceReady();
