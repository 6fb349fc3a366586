import { encodeDataMessage } from '../protocol/command/data-message.builder';
import { RtmpErrorCode } from '../protocol/errors/rtmp-error-code';
import { parseAudioTag } from '../protocol/flv/audio-tag.parser';
import { parseVideoTag } from '../protocol/flv/video-tag.parser';
import { LiveStream, StreamEnd } from '../server/live-stream';
import { AudioPacket, MediaPacket, MetadataPacket, VideoPacket } from '../media/media-packet';
import { StreamVerdicts } from '../server/stream-request';
import { RtmpServer } from '../server/rtmp-server';
import {
  colorInfoPacket,
  multitrackVideoPacket,
  publishRequest,
} from '../media/testing/media-packet.fixtures';
import { RtmpClientError } from '../client/rtmp-client.error';
import type { ReconnectRequest, RtmpPublishClientOptions } from '../client/rtmp-publish-client';
import { RelaySource } from './relay-source';
import type { RelayStatus } from './relay-status';
import { DEFAULT_RELAY_BACKOFF } from './retry-backoff';
import { StreamRelay } from './stream-relay';
import { StreamRelayError } from './stream-relay.error';

/*
 * Most of these tests replace the push client with a fake the test drives (accept the publish,
 * lose the connection, refuse sends as a destination that has fallen behind), so the relay's
 * own rules can be checked one at a time and its timers run on fake time. The last block
 * relays to a real RtmpServer over loopback with the real client.
 */

const mockClients: { fake: boolean; create?: (options: RtmpPublishClientOptions) => unknown } = {
  fake: true,
};

jest.mock('../client/rtmp-publish-client', () => {
  const actual = jest.requireActual<typeof import('../client/rtmp-publish-client')>(
    '../client/rtmp-publish-client',
  );
  return {
    ...actual,
    RtmpPublishClient: jest.fn((options: RtmpPublishClientOptions) =>
      mockClients.fake && mockClients.create !== undefined
        ? mockClients.create(options)
        : new actual.RtmpPublishClient(options),
    ),
  };
});

/** What the relay handed the fake client, in order. */
interface Sent {
  readonly kind: string;
  readonly timestamp: number;
  readonly force: boolean;
}

/** A push client whose destination the test plays. */
class FakeClient {
  publishing = false;
  /** While true, sends that are not forced are refused (queue over its limit). */
  refuse = false;
  closeCalls = 0;
  /** What `abort()` was given: the relay dropped the connection without unpublishing. */
  abortedWith: Error | undefined;
  readonly sent: Sent[] = [];
  /** Payload bytes handed over: this destination never reads, so they all stay queued. */
  queuedBytes = 0;
  private closeListeners: ((cause: Error | undefined) => void)[] = [];
  private reconnectListeners: ((request: ReconnectRequest) => void)[] = [];
  private pending: { resolve: () => void; reject: (error: Error) => void } | undefined;
  private closed = false;
  /** Set to hold close() until the test releases it. */
  closeGate: Promise<void> | undefined;

  constructor(readonly options: RtmpPublishClientOptions) {}

  /** As the real client: the option, 4 MiB by default. */
  get maxQueuedBytes(): number {
    return this.options.maxQueuedBytes ?? 4 * 1024 * 1024;
  }

  connect(): Promise<void> {
    return new Promise((resolve, reject) => (this.pending = { resolve, reject }));
  }

  onClose(listener: (cause: Error | undefined) => void): void {
    this.closeListeners.push(listener);
  }

  onReconnectRequest(listener: (request: ReconnectRequest) => void): void {
    this.reconnectListeners.push(listener);
  }

  sendMetadata(body: Buffer): boolean {
    return this.record('metadata', 0, true, body);
  }

  sendAudio(timestamp: number, payload: Buffer, force = false): boolean {
    return this.record(`audio:${payload.toString('hex')}`, timestamp, force, payload);
  }

  sendVideo(timestamp: number, payload: Buffer, force = false): boolean {
    return this.record(`video:${payload.toString('hex')}`, timestamp, force, payload);
  }

  /** As the real client: publishing, and the queue under its limit. */
  get writable(): boolean {
    return this.publishing && !this.refuse;
  }

  abort(cause: Error): void {
    this.abortedWith = cause;
    this.end(cause);
  }

  async close(): Promise<void> {
    this.closeCalls += 1;
    await this.closeGate;
    this.end(undefined);
  }

  /** The destination answered NetStream.Publish.Start. */
  accept(): void {
    this.publishing = true;
    this.pending?.resolve();
    this.pending = undefined;
  }

  /** The connection failed or was lost. */
  fail(error: Error): void {
    this.end(error);
  }

  /** The destination sent an E-RTMP ReconnectRequest. */
  requestReconnect(tcUrl?: string): void {
    for (const listener of this.reconnectListeners) listener({ tcUrl });
  }

  private end(cause: Error | undefined): void {
    if (this.closed) return;
    this.closed = true;
    this.publishing = false;
    this.pending?.reject(cause ?? new Error('closed'));
    this.pending = undefined;
    for (const listener of this.closeListeners) listener(cause);
  }

  private record(kind: string, timestamp: number, force: boolean, payload: Buffer): boolean {
    if (!this.publishing || (this.refuse && !force)) return false;
    this.sent.push({ kind, timestamp, force });
    this.queuedBytes += payload.length;
    return true;
  }
}

/** A live stream the test feeds packet by packet. */
class FakeSource implements RelaySource {
  metadata: MetadataPacket | undefined;
  sequenceHeaders: { audio?: AudioPacket; video?: VideoPacket } = {};
  decoderConfiguration: MediaPacket[] | undefined;
  mediaStarted: boolean | undefined;
  private packetListeners = new Set<(packet: MediaPacket) => void>();
  private endListeners = new Set<(end: StreamEnd) => void>();

  get listeners(): number {
    return this.packetListeners.size + this.endListeners.size;
  }

  onPacket(listener: (packet: MediaPacket) => void): () => void {
    this.packetListeners.add(listener);
    return () => this.packetListeners.delete(listener);
  }

  onEnd(listener: (end: StreamEnd) => void): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  emit(...packets: MediaPacket[]): void {
    for (const packet of packets)
      for (const listener of [...this.packetListeners]) listener(packet);
  }

  end(): void {
    for (const listener of [...this.endListeners]) listener({ reason: 'unpublished' });
  }
}

function video(bytes: number[], timestamp: number): VideoPacket {
  const payload = Buffer.from(bytes);
  return { type: 'video', timestamp, payload, tag: parseVideoTag(payload) };
}

function audio(bytes: number[], timestamp: number): AudioPacket {
  const payload = Buffer.from(bytes);
  return { type: 'audio', timestamp, payload, tag: parseAudioTag(payload) };
}

const videoHeader = (t = 0) => video([0x17, 0x00, 0, 0, 0, 0x01, 0x64, 0x00, 0x1f, 0xff], t);
const keyFrame = (t: number, id = 0xaa) => video([0x17, 0x01, 0, 0, 0, id], t);
const interFrame = (t: number, id = 0xbb) => video([0x27, 0x01, 0, 0, 0, id], t);
const audioHeader = (t = 0) => audio([0xaf, 0x00, 0x12, 0x10], t);
const audioFrame = (t: number, id = 0xcc) => audio([0xaf, 0x01, id], t);

function metadataPacket(): MetadataPacket {
  return {
    type: 'metadata',
    timestamp: 0,
    name: 'onMetaData',
    values: [{ width: 320 }],
    metadata: { width: 320 },
    payload: encodeDataMessage('onMetaData', { width: 320 }),
  };
}

const kindOf = (packet: VideoPacket | AudioPacket): string =>
  `${packet.type}:${packet.payload.toString('hex')}`;

/** Lets promise callbacks (connect().then...) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i += 1) await Promise.resolve();
}

describe('StreamRelay', () => {
  const URL = 'rtmp://destination.test/live/relay-key-1234';
  const fakes: FakeClient[] = [];
  const relays: StreamRelay[] = [];

  beforeEach(() => {
    mockClients.fake = true;
    mockClients.create = (options) => {
      const client = new FakeClient(options);
      fakes.push(client);
      return client;
    };
  });

  afterEach(async () => {
    jest.useRealTimers();
    await Promise.all(relays.map((relay) => relay.stop()));
    relays.length = 0;
    fakes.length = 0;
  });

  function relay(
    source: RelaySource,
    options: ConstructorParameters<typeof StreamRelay>[2] = {},
    url = URL,
  ) {
    const created = new StreamRelay(source, url, options);
    relays.push(created);
    return created;
  }

  function statusesOf(target: StreamRelay): RelayStatus[] {
    const statuses: RelayStatus[] = [];
    target.onStatus((status) => statuses.push(status));
    return statuses;
  }

  const lastClient = (): FakeClient => fakes[fakes.length - 1];

  describe('connecting', () => {
    it('connects at once to the destination URL and goes live on Publish.Start', async () => {
      const subject = relay(new FakeSource());
      const statuses = statusesOf(subject);
      expect(fakes).toHaveLength(1);
      expect(lastClient().options.url).toBe(URL);
      expect(statuses.map((s) => s.state)).toEqual(['connecting']);
      lastClient().accept();
      await settle();
      expect(statuses.map((s) => s.state)).toEqual(['connecting', 'live']);
      expect(subject.status).toEqual({ state: 'live' });
      expect(subject.destination).toBe('rtmp://destination.test:1935/live/***(14)');
    });

    it('throws at once on a bad URL, before connecting', () => {
      expect(() => new StreamRelay(new FakeSource(), 'http://x/live/key')).toThrow(RtmpClientError);
      expect(fakes).toHaveLength(0);
    });

    it("sends the source's decoder configuration (every track, colorInfo) when it has one", async () => {
      const source = new FakeSource();
      source.metadata = metadataPacket();
      source.sequenceHeaders = { video: videoHeader(), audio: audioHeader() };
      const color = colorInfoPacket(0);
      source.decoderConfiguration = [color, videoHeader(), audioHeader()];
      relay(source);
      lastClient().accept();
      await settle();
      expect(lastClient().sent).toEqual([
        { kind: 'metadata', timestamp: 0, force: true },
        { kind: kindOf(color), timestamp: 0, force: true },
        { kind: kindOf(videoHeader()), timestamp: 0, force: true },
        { kind: kindOf(audioHeader()), timestamp: 0, force: true },
      ]);
      // A colorInfo arriving while the relay waits for a keyframe is sent, forced, at once.
      const changed = colorInfoPacket(40, 600);
      source.emit(changed);
      expect(lastClient().sent.at(-1)).toEqual({
        kind: kindOf(changed),
        timestamp: 40,
        force: true,
      });
    });

    it('sends the cached metadata and sequence headers first, forced, in that order', async () => {
      const source = new FakeSource();
      source.metadata = metadataPacket();
      source.sequenceHeaders = { video: videoHeader(), audio: audioHeader() };
      const subject = relay(source);
      lastClient().accept();
      await settle();
      expect(lastClient().sent).toEqual([
        { kind: 'metadata', timestamp: 0, force: true },
        { kind: kindOf(videoHeader()), timestamp: 0, force: true },
        { kind: kindOf(audioHeader()), timestamp: 0, force: true },
      ]);
      expect(subject.counters).toEqual({
        bytes:
          source.metadata.payload.length +
          videoHeader().payload.length +
          audioHeader().payload.length,
        frames: 2,
        reconnects: 0,
        droppedFrames: 0,
      });
    });
  });

  describe('keyframe gating', () => {
    it('sends nothing while not connected, and counts the frames (not metadata or configuration) as dropped', () => {
      const source = new FakeSource();
      const subject = relay(source);
      source.emit(metadataPacket(), videoHeader(), keyFrame(0), audioFrame(0), interFrame(40));
      expect(lastClient().sent).toEqual([]);
      // The source has no GOP cache: none of the three frames can be sent later. The latest
      // metadata and sequence headers go out on connecting, whenever they came.
      expect(subject.counters.droppedFrames).toBe(3);
    });

    it('starts on a keyframe: earlier frames are dropped, sequence headers pass', async () => {
      const source = new FakeSource();
      const subject = relay(source);
      lastClient().accept();
      await settle();
      source.emit(videoHeader(40), audioHeader(40), audioFrame(40, 1), interFrame(40, 2));
      source.emit(keyFrame(80, 3), audioFrame(80, 4), interFrame(120, 5));
      expect(lastClient().sent.map((s) => s.kind)).toEqual([
        kindOf(videoHeader()),
        kindOf(audioHeader()),
        kindOf(keyFrame(80, 3)),
        kindOf(audioFrame(80, 4)),
        kindOf(interFrame(120, 5)),
      ]);
      expect(lastClient().sent.map((s) => s.timestamp)).toEqual([40, 40, 80, 80, 120]);
      expect(lastClient().sent.map((s) => s.force)).toEqual([true, true, false, false, false]);
      expect(subject.counters).toMatchObject({ frames: 5, droppedFrames: 2 });
    });

    it("live before the stream's first frame: sends every frame from the first, the audio before the first keyframe too", async () => {
      const source = new FakeSource();
      source.mediaStarted = false;
      const subject = relay(source);
      lastClient().accept();
      await settle();
      source.emit(videoHeader(0), audioHeader(0), audioFrame(0, 1), keyFrame(23, 2));
      source.emit(audioFrame(23, 3), interFrame(56, 4));
      expect(lastClient().sent.map((s) => s.timestamp)).toEqual([0, 0, 0, 23, 23, 56]);
      expect(subject.counters).toMatchObject({ frames: 6, droppedFrames: 0 });
    });

    it("live before the stream's first frame: video that does not start with a keyframe still waits for one", async () => {
      const source = new FakeSource();
      source.mediaStarted = false;
      const subject = relay(source);
      lastClient().accept();
      await settle();
      source.emit(videoHeader(0), audioFrame(0, 1), interFrame(23, 2), audioFrame(23, 3));
      source.emit(keyFrame(40, 4), audioFrame(46, 5));
      expect(lastClient().sent.map((s) => s.kind)).toEqual([
        kindOf(videoHeader()),
        kindOf(audioFrame(0, 1)),
        kindOf(keyFrame(40, 4)),
        kindOf(audioFrame(46, 5)),
      ]);
      expect(subject.counters.droppedFrames).toBe(2);
    });

    it('video that joins an audio-only start still starts on a keyframe', async () => {
      const source = new FakeSource();
      const subject = relay(source);
      lastClient().accept();
      await settle();
      source.emit(audioFrame(0, 1), interFrame(10, 2), audioFrame(23, 3), keyFrame(40, 4));
      source.emit(interFrame(80, 5), audioFrame(80, 6));
      expect(lastClient().sent.map((s) => s.kind)).toEqual([
        kindOf(audioFrame(0, 1)),
        kindOf(keyFrame(40, 4)),
        kindOf(interFrame(80, 5)),
        kindOf(audioFrame(80, 6)),
      ]);
      expect(subject.counters.droppedFrames).toBe(2);
    });

    it('starts an audio-only stream on its first audio frame', async () => {
      const source = new FakeSource();
      relay(source);
      lastClient().accept();
      await settle();
      source.emit(audioHeader(0), audioFrame(0, 1), audioFrame(23, 2));
      expect(lastClient().sent.map((s) => s.kind)).toEqual([
        kindOf(audioHeader()),
        kindOf(audioFrame(0, 1)),
        kindOf(audioFrame(23, 2)),
      ]);
    });

    it('waits for a keyframe when the stream is known to have video, even before any video frame', async () => {
      const source = new FakeSource();
      source.sequenceHeaders = { video: videoHeader() };
      relay(source);
      lastClient().accept();
      await settle();
      source.emit(audioFrame(0, 1), keyFrame(0, 2));
      expect(lastClient().sent.map((s) => s.kind)).toEqual([
        kindOf(videoHeader()),
        kindOf(keyFrame(0, 2)),
      ]);
    });

    it('after a refused send, drops until the next keyframe; headers pass even while refused', async () => {
      const source = new FakeSource();
      const subject = relay(source);
      const client = lastClient();
      client.accept();
      await settle();
      source.emit(keyFrame(0, 1), interFrame(40, 2));
      client.refuse = true;
      source.emit(interFrame(80, 3)); // refused: the destination is behind
      source.emit(videoHeader(100)); // forced through anyway
      client.refuse = false;
      source.emit(audioFrame(110, 4), interFrame(120, 5)); // still waiting for a keyframe
      source.emit(keyFrame(160, 6), interFrame(200, 7));
      expect(client.sent.map((s) => s.kind)).toEqual([
        kindOf(keyFrame(0, 1)),
        kindOf(interFrame(40, 2)),
        kindOf(videoHeader()),
        kindOf(keyFrame(160, 6)),
        kindOf(interFrame(200, 7)),
      ]);
      expect(subject.counters).toMatchObject({ frames: 5, droppedFrames: 3 });
    });
  });

  describe('starting from the cached GOP (a LiveStream as the source)', () => {
    const backoff = { initialDelayMs: 100, maxDelayMs: 1_000, multiplier: 2, jitter: 0.2 };

    /** A live stream as the server makes one, its GOP cache on or off. */
    function liveStream(gopCache = true): LiveStream {
      const limits = { enabled: gopCache, maxFrames: 1_000, maxBytes: 1_000_000 };
      return new LiveStream(
        publishRequest(),
        (error) => {
          throw error;
        },
        limits,
      );
    }

    function deliver(stream: LiveStream, ...packets: MediaPacket[]): void {
      for (const packet of packets) stream.deliver(packet);
    }

    /** `kind@timestamp`, as `sentOf` lists what a fake client got. */
    const at = (packet: VideoPacket | AudioPacket): string =>
      `${kindOf(packet)}@${packet.timestamp}`;
    const sentOf = (client: FakeClient): string[] =>
      client.sent.map((s) => `${s.kind}@${s.timestamp}`);

    it('sends metadata, the decoder configuration, every cached frame in order, then live frames, none twice', async () => {
      const stream = liveStream();
      deliver(stream, metadataPacket(), videoHeader(), audioHeader());
      deliver(stream, keyFrame(0, 1), audioFrame(0, 2));
      const subject = relay(stream);
      // While the relay connects: not sent yet, but still in the cache.
      deliver(stream, interFrame(40, 3), audioFrame(46, 4));
      const client = lastClient();
      client.accept();
      await settle();
      deliver(stream, interFrame(80, 5), keyFrame(120, 6), audioFrame(125, 7));
      expect(sentOf(client)).toEqual([
        'metadata@0',
        at(videoHeader()),
        at(audioHeader()),
        at(keyFrame(0, 1)),
        at(audioFrame(0, 2)),
        at(interFrame(40, 3)),
        at(audioFrame(46, 4)),
        at(interFrame(80, 5)),
        at(keyFrame(120, 6)),
        at(audioFrame(125, 7)),
      ]);
      // The cached GOP is forced like the configuration (it was measured against
      // maxQueuedBytes first); live frames are not.
      expect(client.sent.map((s) => s.force)).toEqual([
        ...Array<boolean>(7).fill(true),
        false,
        false,
        false,
      ]);
      expect(subject.counters).toMatchObject({ frames: 9, droppedFrames: 0, reconnects: 0 });
    });

    it('resumes from the cached GOP after a reconnection; frames missed meanwhile count as dropped once they left the cache', async () => {
      jest.useFakeTimers();
      const stream = liveStream();
      deliver(stream, videoHeader(), audioHeader());
      const subject = relay(stream, { backoff, random: () => 0.5 });
      const first = lastClient();
      first.accept();
      await settle();
      deliver(stream, keyFrame(0, 1), interFrame(40, 2));
      first.fail(new RtmpClientError(RtmpErrorCode.ClientClosed, 'lost'));
      deliver(stream, audioFrame(50, 3), interFrame(80, 4)); // retrying
      jest.advanceTimersByTime(backoff.initialDelayMs);
      const second = lastClient();
      deliver(stream, interFrame(120, 5)); // connecting again
      expect(subject.counters.droppedFrames).toBe(0);
      second.accept();
      await settle();
      deliver(stream, interFrame(160, 6));
      // The GOP again from its keyframe: the frames the first connection carried, those missed.
      expect(sentOf(second)).toEqual([
        at(videoHeader()),
        at(audioHeader()),
        at(keyFrame(0, 1)),
        at(interFrame(40, 2)),
        at(audioFrame(50, 3)),
        at(interFrame(80, 4)),
        at(interFrame(120, 5)),
        at(interFrame(160, 6)),
      ]);
      expect(subject.counters).toMatchObject({ reconnects: 1, droppedFrames: 0 });

      // Down across a keyframe: what came before it left the cache with its GOP, at once.
      second.fail(new RtmpClientError(RtmpErrorCode.ClientClosed, 'lost again'));
      deliver(stream, interFrame(200, 7), keyFrame(240, 8));
      expect(subject.counters.droppedFrames).toBe(1);
      deliver(stream, audioFrame(250, 9));
      jest.advanceTimersByTime(backoff.initialDelayMs);
      const third = lastClient();
      third.accept();
      await settle();
      expect(sentOf(third)).toEqual([
        at(videoHeader()),
        at(audioHeader()),
        at(keyFrame(240, 8)),
        at(audioFrame(250, 9)),
      ]);
      expect(subject.counters).toMatchObject({ reconnects: 2, droppedFrames: 1 });
    });

    it('with the GOP cache off, starts at the next keyframe and counts every frame it missed', async () => {
      const stream = liveStream(false);
      const subject = relay(stream);
      deliver(stream, metadataPacket(), videoHeader(), audioHeader());
      deliver(stream, keyFrame(0, 1), audioFrame(0, 2));
      const client = lastClient();
      client.accept();
      await settle();
      deliver(stream, interFrame(40, 3), keyFrame(80, 4));
      expect(sentOf(client)).toEqual([
        'metadata@0',
        at(videoHeader()),
        at(audioHeader()),
        at(keyFrame(80, 4)),
      ]);
      // The two frames missed while connecting and the one skipped waiting for the keyframe;
      // not the configuration, which went out on connecting.
      expect(subject.counters).toMatchObject({ frames: 3, droppedFrames: 3 });
    });

    it('sends the cached GOP whole within maxQueuedBytes or not at all, then starting at the next keyframe', async () => {
      const gop = [keyFrame(0, 1), audioFrame(0, 2), interFrame(40, 3)];
      const needed = [videoHeader(), ...gop].reduce((sum, p) => sum + p.payload.length, 0);
      const cases: [number, string[], number][] = [
        [needed, [...gop, interFrame(80, 4), keyFrame(120, 5)].map(at), 0],
        // A byte short: the GOP's frames are missed, and the one before the next keyframe.
        [needed - 1, [at(keyFrame(120, 5))], 4],
      ];
      for (const [maxQueuedBytes, media, dropped] of cases) {
        fakes.length = 0;
        const stream = liveStream();
        const subject = relay(stream, { maxQueuedBytes });
        deliver(stream, videoHeader(), ...gop);
        const client = lastClient();
        client.accept();
        await settle();
        deliver(stream, interFrame(80, 4), keyFrame(120, 5));
        expect(sentOf(client)).toEqual([at(videoHeader()), ...media]);
        expect(subject.counters.droppedFrames).toBe(dropped);
        await subject.stop();
      }
    });

    it('after following a ReconnectRequest at a keyframe, the new connection starts at that keyframe, from the cache: nothing twice, nothing lost', async () => {
      const stream = liveStream();
      deliver(stream, videoHeader(), audioHeader());
      const subject = relay(stream);
      const first = lastClient();
      first.accept();
      await settle();
      deliver(stream, keyFrame(0, 1), interFrame(40, 2));
      first.requestReconnect(undefined);
      deliver(stream, audioFrame(50, 3), interFrame(80, 4)); // still to the first connection
      deliver(stream, keyFrame(120, 5), audioFrame(130, 6)); // the first one ends before this keyframe
      await settle();
      expect(fakes).toHaveLength(2);
      const second = lastClient();
      deliver(stream, interFrame(160, 7)); // connecting
      second.accept();
      await settle();
      deliver(stream, interFrame(200, 8));
      expect(sentOf(first)).toEqual([
        at(videoHeader()),
        at(audioHeader()),
        at(keyFrame(0, 1)),
        at(interFrame(40, 2)),
        at(audioFrame(50, 3)),
        at(interFrame(80, 4)),
      ]);
      expect(sentOf(second)).toEqual([
        at(videoHeader()),
        at(audioHeader()),
        at(keyFrame(120, 5)),
        at(audioFrame(130, 6)),
        at(interFrame(160, 7)),
        at(interFrame(200, 8)),
      ]);
      expect(subject.counters).toMatchObject({ reconnects: 1, droppedFrames: 0 });
    });

    it("starts only at a keyframe of the stream's key track (multitrack: the first keyframe's track), as players do", async () => {
      const stream = liveStream(false);
      deliver(stream, multitrackVideoPacket(0, 0, 'key')); // track 0 becomes the key track
      relay(stream);
      const client = lastClient();
      client.accept();
      await settle();
      const secondTrack = multitrackVideoPacket(40, 1, 'key');
      const firstTrack = multitrackVideoPacket(80, 0, 'key');
      deliver(stream, secondTrack, firstTrack);
      expect(sentOf(client)).toEqual([at(firstTrack)]);
    });
  });

  describe('retrying with exponential backoff and jitter', () => {
    const backoff = { initialDelayMs: 100, maxDelayMs: 1_000, multiplier: 2, jitter: 0.2 };

    /** Fails `count` connection attempts in a row; returns the delays the relay announced. */
    function failAttempts(subject: StreamRelay, count: number): number[] {
      const delays: number[] = [];
      for (let i = 0; i < count; i += 1) {
        lastClient().fail(new RtmpClientError(RtmpErrorCode.ClientConnectFailed, 'refused'));
        const status = subject.status;
        expect(status.state).toBe('retrying');
        delays.push(status.retryInMs as number);
        const clientsBefore = fakes.length;
        jest.advanceTimersByTime((status.retryInMs as number) - 1);
        expect(fakes).toHaveLength(clientsBefore);
        jest.advanceTimersByTime(1);
        expect(fakes).toHaveLength(clientsBefore + 1);
        expect(subject.status.state).toBe('connecting');
      }
      return delays;
    }

    it('multiplies the delay by `multiplier` up to `maxDelayMs` (no jitter at random 0.5)', () => {
      jest.useFakeTimers();
      const subject = relay(new FakeSource(), { backoff, random: () => 0.5 });
      expect(failAttempts(subject, 7)).toEqual([100, 200, 400, 800, 1_000, 1_000, 1_000]);
    });

    it('keeps each delay within ±jitter of its base', () => {
      jest.useFakeTimers();
      const draws = [0, 0.999999, 0.25, 0.75, 0, 0.999999];
      const subject = relay(new FakeSource(), { backoff, random: () => draws.shift() as number });
      const delays = failAttempts(subject, 6);
      const bases = [100, 200, 400, 800, 1_000, 1_000];
      expect(delays).toEqual([80, 240, 360, 880, 800, 1_200]);
      delays.forEach((delay, i) => {
        expect(delay).toBeGreaterThanOrEqual(bases[i] * (1 - backoff.jitter));
        expect(delay).toBeLessThanOrEqual(bases[i] * (1 + backoff.jitter));
      });
    });

    it('reports the error with each retry', () => {
      jest.useFakeTimers();
      const subject = relay(new FakeSource(), { backoff, random: () => 0.5 });
      const statuses = statusesOf(subject);
      const error = new RtmpClientError(RtmpErrorCode.ClientClosed, 'the server closed');
      lastClient().fail(error);
      expect(statuses.at(-1)).toEqual({ state: 'retrying', error, retryInMs: 100 });
    });

    it('starts again from the first delay after a successful connection, and counts reconnects', async () => {
      jest.useFakeTimers();
      const source = new FakeSource();
      const subject = relay(source, { backoff, random: () => 0.5 });
      expect(failAttempts(subject, 3)).toEqual([100, 200, 400]);
      lastClient().accept();
      await settle();
      expect(subject.status.state).toBe('live');
      expect(subject.counters.reconnects).toBe(0);
      expect(failAttempts(subject, 2)).toEqual([100, 200]);
      lastClient().accept();
      await settle();
      expect(subject.counters.reconnects).toBe(1);
    });

    it('resumes on a keyframe after a reconnection, sending the cached headers first', async () => {
      jest.useFakeTimers();
      const source = new FakeSource();
      source.sequenceHeaders = { video: videoHeader(), audio: audioHeader() };
      relay(source, { backoff, random: () => 0.5 });
      lastClient().accept();
      await settle();
      source.emit(keyFrame(0, 1));
      lastClient().fail(new RtmpClientError(RtmpErrorCode.ClientClosed, 'lost'));
      source.emit(interFrame(40, 2)); // dropped: not connected
      jest.advanceTimersByTime(100);
      lastClient().accept();
      await settle();
      source.emit(interFrame(80, 3), keyFrame(120, 4));
      expect(lastClient().sent.map((s) => s.kind)).toEqual([
        kindOf(videoHeader()),
        kindOf(audioHeader()),
        kindOf(keyFrame(120, 4)),
      ]);
    });

    it('uses the default backoff when none is given', () => {
      jest.useFakeTimers();
      const subject = relay(new FakeSource(), { random: () => 0.5 });
      expect(failAttempts(subject, 2)).toEqual([
        DEFAULT_RELAY_BACKOFF.initialDelayMs,
        DEFAULT_RELAY_BACKOFF.initialDelayMs * DEFAULT_RELAY_BACKOFF.multiplier,
      ]);
    });
  });

  describe('stopping', () => {
    it('is idempotent: one close, one stopped status, and every call waits for the close', async () => {
      const source = new FakeSource();
      const subject = relay(source);
      const statuses = statusesOf(subject);
      const client = lastClient();
      client.accept();
      await settle();
      let release: () => void = () => undefined;
      client.closeGate = new Promise((resolve) => (release = resolve));
      let firstDone = false;
      let secondDone = false;
      const first = subject.stop().then(() => (firstDone = true));
      const second = subject.stop().then(() => (secondDone = true));
      await settle();
      expect([firstDone, secondDone]).toEqual([false, false]);
      release();
      await Promise.all([first, second]);
      await subject.stop();
      expect(client.closeCalls).toBe(1);
      expect(statuses.map((s) => s.state)).toEqual(['connecting', 'live', 'stopped']);
      expect(source.listeners).toBe(0);
    });

    it('stops when the source ends, and never reconnects', async () => {
      jest.useFakeTimers();
      const source = new FakeSource();
      const subject = relay(source, { random: () => 0.5 });
      const statuses = statusesOf(subject);
      lastClient().accept();
      await settle();
      source.end();
      await settle();
      expect(lastClient().closeCalls).toBe(1);
      expect(statuses.map((s) => s.state)).toEqual(['connecting', 'live', 'stopped']);
      expect(source.listeners).toBe(0);
      jest.advanceTimersByTime(60_000);
      expect(fakes).toHaveLength(1);
    });

    it('cancels a pending retry, and keeps the last error in the stopped status', async () => {
      jest.useFakeTimers();
      const subject = relay(new FakeSource(), { random: () => 0.5 });
      const error = new RtmpClientError(RtmpErrorCode.ClientConnectFailed, 'refused');
      lastClient().fail(error);
      await subject.stop();
      expect(subject.status).toEqual({ state: 'stopped', error });
      jest.advanceTimersByTime(60_000);
      expect(fakes).toHaveLength(1);
    });

    it('ignores packets after it stopped', async () => {
      const source = new FakeSource();
      const subject = relay(source);
      lastClient().accept();
      await settle();
      await subject.stop();
      source.emit(keyFrame(0));
      expect(lastClient().sent).toEqual([]);
      expect(subject.counters.droppedFrames).toBe(0);
    });
  });

  describe('ReconnectRequest (E-RTMP)', () => {
    /** Goes live, sends a keyframe, gets a ReconnectRequest, then the next keyframe. */
    async function requestThenKeyFrame(source: FakeSource, tcUrl: string | undefined) {
      lastClient().accept();
      await settle();
      source.emit(keyFrame(0, 1));
      lastClient().requestReconnect(tcUrl);
      source.emit(keyFrame(40, 2));
      await settle();
    }

    it('keeps sending up to the next keyframe, then reconnects to the new tcUrl with the same name', async () => {
      const source = new FakeSource();
      source.sequenceHeaders = { video: videoHeader() };
      const followed: [string, string][] = [];
      const subject = relay(source, {
        reconnectRequestHosts: ['other.test'],
        onReconnectFollowed: (from, to) => followed.push([from, to]),
      });
      const first = lastClient();
      first.accept();
      await settle();
      source.emit(keyFrame(0, 1), interFrame(40, 2));
      first.requestReconnect('rtmp://other.test:1936/app2/');
      source.emit(interFrame(80, 3), audioFrame(90, 4)); // still to the first destination
      expect(fakes).toHaveLength(1);
      source.emit(keyFrame(120, 5)); // the first connection ends before this keyframe
      await settle();
      expect(first.closeCalls).toBe(1);
      expect(first.sent.map((s) => s.kind)).toEqual([
        kindOf(videoHeader()),
        kindOf(keyFrame(0, 1)),
        kindOf(interFrame(40, 2)),
        kindOf(interFrame(80, 3)),
        kindOf(audioFrame(90, 4)),
      ]);
      expect(fakes).toHaveLength(2);
      const second = lastClient();
      expect(second.options.url).toBe('rtmp://other.test:1936/app2/relay-key-1234');
      second.accept();
      await settle();
      source.emit(interFrame(160, 6), keyFrame(200, 7));
      expect(second.sent.map((s) => s.kind)).toEqual([
        kindOf(videoHeader()),
        kindOf(keyFrame(200, 7)),
      ]);
      expect(subject.counters.reconnects).toBe(1);
      expect(subject.destination).toBe('rtmp://other.test:1936/app2/***(14)');
      expect(followed).toEqual([
        ['rtmp://destination.test:1935/live/***(14)', 'rtmp://other.test:1936/app2/***(14)'],
      ]);
    });

    it('follows a request to the same host (another port, another app, upgraded to rtmps)', async () => {
      const source = new FakeSource();
      const followed: string[] = [];
      const subject = relay(source, { onReconnectFollowed: (_from, to) => followed.push(to) });
      await requestThenKeyFrame(source, 'rtmps://Destination.TEST:8443/edge/');
      expect(lastClient().options.url).toBe('rtmps://Destination.TEST:8443/edge/relay-key-1234');
      expect(subject.destination).toBe('rtmps://Destination.TEST:8443/edge/***(14)');
      expect(followed).toEqual(['rtmps://Destination.TEST:8443/edge/***(14)']);
    });

    it('refuses a request to another host: reports it with the key masked and reconnects where it was', async () => {
      const source = new FakeSource();
      const refused: StreamRelayError[] = [];
      const followed: string[] = [];
      const subject = relay(source, {
        onReconnectRefused: (error) => refused.push(error),
        onReconnectFollowed: (_from, to) => followed.push(to),
      });
      await requestThenKeyFrame(source, 'rtmp://elsewhere.test/live');
      expect(fakes).toHaveLength(2);
      expect(lastClient().options.url).toBe(URL);
      expect(subject.destination).toBe('rtmp://destination.test:1935/live/***(14)');
      expect(followed).toEqual([]);
      expect(refused).toHaveLength(1);
      expect(refused[0]).toBeInstanceOf(StreamRelayError);
      expect(refused[0].code).toBe(RtmpErrorCode.RelayReconnectRefused);
      expect(refused[0].message).toContain('rtmp://elsewhere.test:1935/live/***(14)');
      expect(refused[0].message).not.toContain('relay-key-1234');
    });

    it('refuses a request from rtmps:// to rtmp://, even to the same host or an allowed one', async () => {
      const secureUrl = 'rtmps://destination.test/live/relay-key-1234';
      for (const target of ['rtmp://destination.test/live', 'rtmp://other.test:1935/live']) {
        fakes.length = 0;
        const source = new FakeSource();
        const refused: StreamRelayError[] = [];
        const subject = relay(
          source,
          { reconnectRequestHosts: ['other.test'], onReconnectRefused: (e) => refused.push(e) },
          secureUrl,
        );
        await requestThenKeyFrame(source, target);
        expect(fakes.map((fake) => fake.options.url)).toEqual([secureUrl, secureUrl]);
        expect(subject.destination).toBe('rtmps://destination.test:443/live/***(14)');
        expect(refused.map((error) => error.code)).toEqual([RtmpErrorCode.RelayReconnectRefused]);
        expect(refused[0].message).toMatch(/rtmps:\/\/ to rtmp:\/\//);
        await subject.stop();
      }
    });

    it('follows a request to a host the reconnectRequestHosts predicate allows, and only those', async () => {
      const allowEdges = (host: string) => host.endsWith('.cdn.test');
      const secureUrl = 'rtmps://origin.cdn.test/live/relay-key-1234';
      const cases: [string, string][] = [
        ['rtmps://edge-2.cdn.test/live', 'rtmps://edge-2.cdn.test/live/relay-key-1234'],
        ['rtmps://cdn.test.evil.test/live', secureUrl],
      ];
      for (const [target, expected] of cases) {
        fakes.length = 0;
        const source = new FakeSource();
        relay(source, { reconnectRequestHosts: allowEdges }, secureUrl);
        await requestThenKeyFrame(source, target);
        expect(fakes.map((fake) => fake.options.url)).toEqual([secureUrl, expected]);
      }
    });

    it('reconnects to the same destination when the request names none', async () => {
      const source = new FakeSource();
      relay(source);
      await requestThenKeyFrame(source, undefined);
      expect(fakes).toHaveLength(2);
      expect(lastClient().options.url).toBe(URL);
    });

    it('reconnects to the same destination when the tcUrl is not an rtmp(s) URL it can use', async () => {
      const source = new FakeSource();
      relay(source);
      await requestThenKeyFrame(source, '/relative/app');
      expect(fakes).toHaveLength(2);
      expect(lastClient().options.url).toBe(URL);
    });
  });

  describe('a destination that stops reading (stallTimeoutMs)', () => {
    const backoff = { initialDelayMs: 100, maxDelayMs: 1_000, multiplier: 2, jitter: 0.2 };

    /** A live relay whose destination has just refused a frame (its queue is full). */
    async function liveThenFull(options: ConstructorParameters<typeof StreamRelay>[2] = {}) {
      const source = new FakeSource();
      const subject = relay(source, { backoff, random: () => 0.5, ...options });
      const client = lastClient();
      client.accept();
      await settle();
      source.emit(keyFrame(0, 1));
      client.refuse = true;
      source.emit(interFrame(40, 2)); // refused: the clock starts
      return { source, subject, client };
    }

    it('reports RTMP_ERR_RELAY_STALLED after stallTimeoutMs of a full queue, then reconnects with its backoff', async () => {
      jest.useFakeTimers();
      const { source, subject, client } = await liveThenFull({ stallTimeoutMs: 500 });
      jest.advanceTimersByTime(200);
      source.emit(interFrame(80, 3)); // refused again: the clock does not start over
      jest.advanceTimersByTime(299);
      expect(subject.status.state).toBe('live');
      expect(client.abortedWith).toBeUndefined();
      jest.advanceTimersByTime(1);
      expect(client.abortedWith).toBeInstanceOf(StreamRelayError);
      const status = subject.status;
      expect(status).toMatchObject({ state: 'retrying', retryInMs: backoff.initialDelayMs });
      expect((status.error as StreamRelayError).code).toBe(RtmpErrorCode.RelayStalled);
      expect(status.error?.message).toContain('rtmp://destination.test:1935/live/***(14)');
      expect(status.error?.message).not.toContain('relay-key-1234');
      jest.advanceTimersByTime(backoff.initialDelayMs);
      expect(fakes).toHaveLength(2);
      lastClient().accept();
      await settle();
      expect(subject.status.state).toBe('live');
      expect(subject.counters.reconnects).toBe(1);
    });

    it('notices the stall when the source sends nothing more after the queue filled', async () => {
      jest.useFakeTimers();
      const { subject } = await liveThenFull({ stallTimeoutMs: 500 });
      jest.advanceTimersByTime(500);
      expect((subject.status.error as StreamRelayError).code).toBe(RtmpErrorCode.RelayStalled);
    });

    it('waits 10 s by default', async () => {
      jest.useFakeTimers();
      const { subject } = await liveThenFull();
      jest.advanceTimersByTime(9_999);
      expect(subject.status.state).toBe('live');
      jest.advanceTimersByTime(1);
      expect(subject.status.state).toBe('retrying');
    });

    it('reports no stall while the queue drains, and times a new stall from its own start', async () => {
      jest.useFakeTimers();
      const { source, subject, client } = await liveThenFull({ stallTimeoutMs: 500 });
      jest.advanceTimersByTime(300);
      client.refuse = false; // the destination read: frames go out again (from a keyframe)
      source.emit(interFrame(80, 3), keyFrame(120, 4));
      jest.advanceTimersByTime(1_000);
      expect(subject.status.state).toBe('live');
      // Full again, then drained while the source was silent: still no stall.
      client.refuse = true;
      source.emit(interFrame(160, 5));
      jest.advanceTimersByTime(300);
      client.refuse = false;
      jest.advanceTimersByTime(1_000);
      expect(subject.status.state).toBe('live');
      // Full again: a whole stallTimeoutMs from this refusal.
      client.refuse = true;
      source.emit(keyFrame(200, 6));
      jest.advanceTimersByTime(499);
      expect(subject.status.state).toBe('live');
      jest.advanceTimersByTime(1);
      expect(subject.status.state).toBe('retrying');
      expect(client.abortedWith).toBeInstanceOf(StreamRelayError);
    });

    it('stop() while the queue is full leaves no timer behind', async () => {
      jest.useFakeTimers();
      const { subject } = await liveThenFull({ stallTimeoutMs: 500 });
      await subject.stop();
      expect(jest.getTimerCount()).toBe(0);
      expect(subject.status.state).toBe('stopped');
    });

    it.each([-1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31])(
      'refuses stallTimeoutMs %p at once, before connecting',
      (stallTimeoutMs) => {
        expect(() => new StreamRelay(new FakeSource(), URL, { stallTimeoutMs })).toThrow(
          /stallTimeoutMs/,
        );
        expect(fakes).toHaveLength(0);
      },
    );

    it('stallTimeoutMs 0 turns the check off', async () => {
      jest.useFakeTimers();
      const { subject } = await liveThenFull({ stallTimeoutMs: 0 });
      jest.advanceTimersByTime(600_000);
      expect(subject.status.state).toBe('live');
    });
  });

  describe('with a real RtmpServer as the destination', () => {
    let server: RtmpServer;
    let port: number;

    beforeEach(async () => {
      mockClients.fake = false;
      server = new RtmpServer(
        { port: 0, host: '127.0.0.1' },
        {
          verifyRequest: () => StreamVerdicts.accept(),
          logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
        },
      );
      port = (await server.listen()).port;
    });

    afterEach(async () => {
      await Promise.all(relays.map((r) => r.stop()));
      await server.close();
    });

    it('publishes metadata and headers, then media from the first keyframe, and unpublishes at the end', async () => {
      const source = new FakeSource();
      source.metadata = metadataPacket();
      source.sequenceHeaders = { video: videoHeader(), audio: audioHeader() };
      const arrived: string[] = [];
      const ended = new Promise<StreamEnd>((resolve) =>
        server.onStreamStart((stream) => {
          stream.onPacket((packet) =>
            arrived.push(
              packet.type === 'metadata'
                ? `metadata:${packet.name}`
                : `${kindOf(packet)}@${packet.timestamp}`,
            ),
          );
          stream.onEnd(resolve);
        }),
      );
      const subject = new StreamRelay(source, `rtmp://127.0.0.1:${port}/live/relayed`);
      relays.push(subject);
      await new Promise<void>((resolve) =>
        subject.onStatus((status) => status.state === 'live' && resolve()),
      );
      source.emit(interFrame(0, 1), audioFrame(0, 2), keyFrame(40, 3), audioFrame(46, 4));
      source.emit(interFrame(80, 5));
      const stopped = new Promise<void>((resolve) =>
        subject.onStatus((status) => status.state === 'stopped' && resolve()),
      );
      source.end();
      expect(await ended).toEqual({ reason: 'unpublished' });
      await stopped;
      expect(arrived).toEqual([
        'metadata:onMetaData',
        `${kindOf(videoHeader())}@0`,
        `${kindOf(audioHeader())}@0`,
        `${kindOf(keyFrame(40, 3))}@40`,
        `${kindOf(audioFrame(46, 4))}@46`,
        `${kindOf(interFrame(80, 5))}@80`,
      ]);
      expect(subject.status.state).toBe('stopped');
      expect(subject.counters).toMatchObject({ frames: 5, droppedFrames: 2, reconnects: 0 });
    });
  });
});
