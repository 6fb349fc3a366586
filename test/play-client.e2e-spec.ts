import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { AddressInfo, createServer, Server, Socket } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import {
  AudioPacket,
  LiveStream,
  MediaPacket,
  StreamVerdicts,
  RtmpClientError,
  RtmpErrorCode,
  RtmpPlayClient,
  RtmpPublishClient,
  RtmpServer,
  VideoPacket,
} from '../libs/rtmp/src';
import {
  ChunkReader,
  ChunkStreamId,
  ChunkWriter,
  createAggregateMessage,
  createConnectionCommandMessage,
  createSetChunkSizeMessage,
  createUserControlMessage,
  createWindowAcknowledgementSizeMessage,
  DataMessageName,
  decodeCommand,
  decodeControlMessage,
  encodeConnectResult,
  encodeCreateStreamResult,
  encodeDataMessage,
  encodeOnStatus,
  encodeRtmpSampleAccess,
  FlvTag,
  FlvTagType,
  MessageType,
  NetStatusCode,
  NetStatusLevel,
  readFlvFile,
  RtmpCommand,
  RtmpMessage,
  ServerHandshake,
} from '../libs/rtmp/src/protocol';
import { freeLoopbackPort } from './support/ports';
import { generateTestMedia, SMALL_TEST_MEDIA } from './support/test-media';
import {
  audioPacket,
  colorInfoPacket,
  metadataPacket,
  multitrackVideoPacket,
  videoPacket,
} from '../libs/rtmp/src/media/testing/media-packet.fixtures';

/** The message stream id the fake server hands out: not 1, so the client must use the reply. */
const FAKE_STREAM_ID = 7;
/** The window the fake server announces: small, so the client acknowledges within the test. */
const FAKE_WINDOW = 1_000;
const PING_TIMESTAMP = 4_242;

/**
 * A server built from the protocol core, scripted from the test: it records every message the
 * client sends, answers connect and createStream, and leaves everything else to the test.
 */
class FakePlayServer {
  readonly fromClient: RtmpMessage[] = [];
  private socket: Socket | undefined;
  private readonly writer = new ChunkWriter();
  private waiters: { match: (m: RtmpMessage) => boolean; resolve: (m: RtmpMessage) => void }[] = [];

  private constructor(
    private readonly server: Server,
    private readonly onPlay: (fake: FakePlayServer) => void,
  ) {
    server.on('connection', (socket) => this.accept(socket));
  }

  static async start(onPlay: (fake: FakePlayServer) => void): Promise<FakePlayServer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new FakePlayServer(server, onPlay);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  send(message: RtmpMessage): void {
    const socket = this.socket as Socket;
    for (const part of this.writer.encode(message)) socket.write(part);
  }

  /** Applies a new outgoing chunk size (after sending SetChunkSize). */
  setChunkSize(size: number): void {
    this.writer.setChunkSize(size);
  }

  onStream(typeId: number, payload: Buffer, timestamp = 0): void {
    this.send({
      chunkStreamId: typeId === MessageType.CommandAmf0 ? ChunkStreamId.Status : 6,
      messageStreamId: FAKE_STREAM_ID,
      typeId,
      timestamp,
      payload,
    });
  }

  status(code: string, level: string = NetStatusLevel.Status): void {
    this.onStream(MessageType.CommandAmf0, encodeOnStatus({ level, code, description: code }));
  }

  /** Resolves with the first message from the client (received or to come) that matches. */
  waitFor(match: (message: RtmpMessage) => boolean): Promise<RtmpMessage> {
    const found = this.fromClient.find(match);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  commands(): RtmpCommand[] {
    return this.fromClient
      .filter((m) => m.typeId === MessageType.CommandAmf0)
      .map((m) => decodeCommand(m.payload));
  }

  async close(): Promise<void> {
    this.socket?.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    this.socket = socket;
    socket.on('error', () => undefined);
    const handshake = new ServerHandshake();
    const reader = new ChunkReader((message) => this.onMessage(message));
    socket.on('data', (data: Buffer) => {
      let rest = data;
      if (!handshake.complete) {
        const progress = handshake.push(data);
        if (progress.output !== undefined) socket.write(progress.output);
        if (!progress.complete) return;
        rest = progress.rest;
      }
      if (rest.length > 0) reader.push(rest);
    });
  }

  private onMessage(message: RtmpMessage): void {
    const copy = { ...message, payload: Buffer.from(message.payload) };
    this.fromClient.push(copy);
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.match(copy)) return true;
      waiter.resolve(copy);
      return false;
    });
    if (message.typeId !== MessageType.CommandAmf0) return;
    const command = decodeCommand(message.payload);
    const reply = (payload: Buffer): void => this.send(createConnectionCommandMessage(payload));
    if (command.name === 'connect') {
      this.send(createWindowAcknowledgementSizeMessage(FAKE_WINDOW));
      this.send(createSetChunkSizeMessage(4096));
      this.setChunkSize(4096);
      reply(encodeConnectResult({ transactionId: command.transactionId }));
    } else if (command.name === 'createStream') {
      reply(encodeCreateStreamResult(command.transactionId, FAKE_STREAM_ID));
    } else if (command.name === 'play') {
      this.onPlay(this);
    }
  }
}

function isControl(message: RtmpMessage, type: string, eventKind?: string): boolean {
  const control = decodeControlMessage(message);
  if (control?.type !== type) return false;
  return (
    eventKind === undefined || (control.type === 'userControl' && control.event.kind === eventKind)
  );
}

/** Sends every tag of an FLV file as a publisher would; returns how many were refused. */
function sendTags(client: RtmpPublishClient, tags: readonly FlvTag[]): number {
  let refused = 0;
  for (const tag of tags) {
    let sent = true;
    if (tag.type === FlvTagType.ScriptData) sent = client.sendMetadata(tag.body);
    else if (tag.type === FlvTagType.Audio) sent = client.sendAudio(tag.timestamp, tag.body);
    else if (tag.type === FlvTagType.Video) sent = client.sendVideo(tag.timestamp, tag.body);
    if (!sent) refused += 1;
  }
  return refused;
}

/** Copies a packet's payload (it is a view of socket memory) for later comparison. */
function kept(packet: MediaPacket): MediaPacket {
  return { ...packet, payload: Buffer.from(packet.payload) };
}

describe('RtmpPlayClient', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'rtmp-play-client-'));
  const clipPath = join(workDir, 'clip.flv');
  let server: RtmpServer;
  let baseUrl: string;
  let tags: FlvTag[];

  beforeAll(async () => {
    await generateTestMedia(clipPath, SMALL_TEST_MEDIA);
    tags = readFlvFile(readFileSync(clipPath)).tags;
    server = new RtmpServer(
      { port: 0, host: '127.0.0.1', apps: ['live'] },
      {
        verifyRequest: (request) =>
          request.action === 'play' && request.streamName.startsWith('secret')
            ? StreamVerdicts.reject('No viewers for this one')
            : StreamVerdicts.accept(),
        logger: { log: () => undefined, warn: () => undefined, error: console.error },
      },
    );
    const { port } = await server.listen();
    baseUrl = `rtmp://127.0.0.1:${port}/live`;
  }, 30_000);

  afterAll(async () => {
    await server?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  it("speaks FFmpeg's player sequence, answers pings, acknowledges the server's window and parses what it plays", async () => {
    const video = videoPacket(40, 'key', 3_000);
    const audio = audioPacket(20);
    const fake = await FakePlayServer.start((server) => {
      server.send(createUserControlMessage({ kind: 'streamBegin', streamId: FAKE_STREAM_ID }));
      server.status(NetStatusCode.PlayReset);
      server.status(NetStatusCode.PlayStart);
      server.onStream(MessageType.DataAmf0, encodeRtmpSampleAccess(true, true));
      // onMetaData the way some servers forward it, still behind @setDataFrame.
      server.onStream(
        MessageType.DataAmf0,
        encodeDataMessage(DataMessageName.SetDataFrame, 'onMetaData', { width: 320 }),
      );
      // An AMF3 data message: format byte 0, then AMF0 values.
      server.onStream(
        MessageType.DataAmf3,
        Buffer.concat([Buffer.from([0]), encodeDataMessage('onTextData', { text: 'hi' })]),
      );
      server.send(
        createAggregateMessage(
          [
            { typeId: MessageType.Audio, timestamp: audio.timestamp, payload: audio.payload },
            { typeId: MessageType.Video, timestamp: video.timestamp, payload: video.payload },
          ],
          { chunkStreamId: 6, messageStreamId: FAKE_STREAM_ID },
        ),
      );
      // A video message with no FLV header at all: dropped and counted, nothing more.
      server.onStream(MessageType.Video, Buffer.alloc(0), 80);
      server.send(createUserControlMessage({ kind: 'pingRequest', timestamp: PING_TIMESTAMP }));
    });
    const client = new RtmpPlayClient({ url: `rtmp://127.0.0.1:${fake.port}/live/key?x=1` });
    const packets: MediaPacket[] = [];
    const statuses: string[] = [];
    client.onPacket((packet) => packets.push(kept(packet)));
    client.onStatus((status) => statuses.push(status.code));
    await client.connect();
    expect(client.playing).toBe(true);
    expect(client.streamId).toBe(FAKE_STREAM_ID);

    const pong = await fake.waitFor((m) => isControl(m, 'userControl', 'pingResponse'));
    const ack = await fake.waitFor((m) => isControl(m, 'acknowledgement'));
    fake.status(NetStatusCode.PlayUnpublishNotify);
    await new Promise<void>((resolve) => client.onStatus(() => resolve()));

    // What it sent: a player's connect object, WindowAckSize, createStream, play, SetBufferLength.
    const [connect, createStream, play] = fake.commands();
    expect(connect.name).toBe('connect');
    expect(connect.commandObject).toEqual({
      app: 'live',
      flashVer: 'LNX 9,0,124,2',
      tcUrl: `rtmp://127.0.0.1:${fake.port}/live`,
      fpad: false,
      capabilities: 15,
      audioCodecs: 4071,
      videoCodecs: 252,
      videoFunction: 1,
    });
    expect(createStream.name).toBe('createStream');
    expect(play).toMatchObject({ name: 'play', args: ['key?x=1', -1000] });
    const playMessage = fake.fromClient.find(
      (m) => m.typeId === MessageType.CommandAmf0 && decodeCommand(m.payload).name === 'play',
    );
    expect(playMessage?.messageStreamId).toBe(FAKE_STREAM_ID);
    const controls = fake.fromClient.map(decodeControlMessage).filter((c) => c !== undefined);
    expect(controls).toContainEqual({ type: 'windowAcknowledgementSize', windowSize: 2_500_000 });
    expect(controls).toContainEqual({
      type: 'userControl',
      event: { kind: 'setBufferLength', streamId: FAKE_STREAM_ID, bufferLength: 3_000 },
    });
    expect(decodeControlMessage(pong)).toEqual({
      type: 'userControl',
      event: { kind: 'pingResponse', timestamp: PING_TIMESTAMP },
    });
    const acknowledged = decodeControlMessage(ack) as { sequenceNumber: number };
    expect(acknowledged.sequenceNumber).toBeGreaterThanOrEqual(FAKE_WINDOW);

    // What it handed out: metadata (wrapper stripped, AMF3 re-encoded), media split out of the
    // aggregate with parsed headers; nothing of |RtmpSampleAccess, nothing of the bad message.
    expect(statuses).toEqual([
      NetStatusCode.PlayReset,
      NetStatusCode.PlayStart,
      NetStatusCode.PlayUnpublishNotify,
    ]);
    expect(packets.map((p) => p.type)).toEqual(['metadata', 'metadata', 'audio', 'video']);
    expect(packets[0]).toMatchObject({ name: 'onMetaData', metadata: { width: 320 } });
    expect(packets[0].payload).toEqual(encodeDataMessage('onMetaData', { width: 320 }));
    expect(packets[1]).toMatchObject({ name: 'onTextData', metadata: undefined });
    expect(packets[1].payload).toEqual(encodeDataMessage('onTextData', { text: 'hi' }));
    expect(packets[2]).toMatchObject({ timestamp: 20, payload: audio.payload });
    expect((packets[2] as AudioPacket).tag).toMatchObject({
      codec: 'aac',
      isSequenceHeader: false,
    });
    expect(packets[3]).toMatchObject({ timestamp: 40, payload: video.payload });
    expect((packets[3] as VideoPacket).tag).toMatchObject({ codec: 'h264', isKeyFrame: true });
    expect(client.stats).toEqual({
      audioPackets: 1,
      videoPackets: 1,
      metadataPackets: 2,
      malformedPackets: 1,
    });

    // close(): deleteStream for the played stream, then a clean close.
    const closed = new Promise<Error | undefined>((resolve) => client.onClose(resolve));
    await client.close();
    expect(await closed).toBeUndefined();
    const deleteStream = fake.commands().find((c) => c.name === 'deleteStream');
    expect(deleteStream?.args).toEqual([FAKE_STREAM_ID]);
    await fake.close();
  });

  it('receives from our server exactly what was published: metadata, headers, every frame', async () => {
    const key = 'byte-exact';
    const client = new RtmpPlayClient({ url: `${baseUrl}/${key}` });
    const packets: MediaPacket[] = [];
    client.onPacket((packet) => packets.push(kept(packet)));
    const left = new Promise<void>((resolve) =>
      client.onStatus((s) => s.code === NetStatusCode.PlayUnpublishNotify && resolve()),
    );
    await client.connect();

    const publisher = new RtmpPublishClient({ url: `${baseUrl}/${key}` });
    await publisher.connect();
    expect(sendTags(publisher, tags)).toBe(0);
    await publisher.close();
    await left;

    // A waiting player gets everything, byte for byte and with its timestamps: the audio sent
    // before the first video keyframe too (it attached before any frame, so it missed nothing).
    const expected = tags.filter((tag) => tag.type !== FlvTagType.ScriptData);
    const media = packets.filter((p) => p.type !== 'metadata');
    expect(media.map((p) => [p.timestamp, p.payload])).toEqual(
      expected.map((tag) => [tag.timestamp, tag.body]),
    );
    const script = tags.find((tag) => tag.type === FlvTagType.ScriptData) as FlvTag;
    expect(packets[0]).toMatchObject({ type: 'metadata', name: 'onMetaData' });
    expect(packets[0].payload).toEqual(script.body);
    await client.close();
  });

  it("gives a late joiner of an E-RTMP multitrack stream the latest colorInfo and every track's sequence header, then the GOP", async () => {
    const key = 'multitrack';
    const started = new Promise<LiveStream>((resolve) => {
      const stop = server.onStreamStart((stream) => {
        if (stream.name !== key) return;
        stop();
        resolve(stream);
      });
    });
    const publisher = new RtmpPublishClient({ url: `${baseUrl}/${key}` });
    await publisher.connect();
    const stream = await started;
    // Track 0 in legacy AVC, track 1 as E-RTMP Multitrack hvc1 (OBS's Enhanced Broadcasting
    // layout): a header each, and keyframes that arrive one after the other.
    // Then E-RTMP colorInfo (HDR), sent again with new values mid-GOP: a joiner gets the latest
    // one first, as OBS orders them, and not again from the GOP.
    const headers = [
      videoPacket(0, 'header'),
      multitrackVideoPacket(0, 1, 'header'),
      audioPacket(0, true),
    ];
    const gop = [
      videoPacket(0, 'key'),
      multitrackVideoPacket(0, 1, 'key'),
      videoPacket(40, 'inter'),
      audioPacket(50),
    ];
    const [firstColor, latestColor] = [colorInfoPacket(0, 400), colorInfoPacket(45, 1000)];
    const published = [
      metadataPacket(),
      firstColor,
      ...headers,
      ...gop.slice(0, 3),
      latestColor,
      gop[3],
    ];
    const arrived = new Promise<void>((resolve) => {
      let count = 0;
      stream.onPacket(() => (count += 1) === published.length && resolve());
    });
    for (const packet of published) {
      if (packet.type === 'metadata') publisher.sendMetadata(packet.payload);
      else if (packet.type === 'audio') publisher.sendAudio(packet.timestamp, packet.payload);
      else publisher.sendVideo(packet.timestamp, packet.payload);
    }
    await arrived;

    const client = new RtmpPlayClient({ url: `${baseUrl}/${key}` });
    const packets: MediaPacket[] = [];
    client.onPacket((packet) => packets.push(kept(packet)));
    await client.connect();
    publisher.sendVideo(80, videoPacket(80, 'inter').payload);
    await new Promise<void>((resolve) => client.onPacket((p) => p.timestamp === 80 && resolve()));

    expect(packets.map((p) => p.payload)).toEqual(
      [metadataPacket(), latestColor, ...headers, ...gop, videoPacket(80, 'inter')].map(
        (p) => p.payload,
      ),
    );
    await client.close();
    await publisher.close();
  });

  it("rejects connect() with the server's code and description", async () => {
    const refused = new RtmpPlayClient({ url: `${baseUrl}/secret-stream` });
    const statuses: string[] = [];
    refused.onStatus((status) => statuses.push(status.code));
    const closed = new Promise<Error | undefined>((resolve) => refused.onClose(resolve));
    const error = await refused.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RtmpClientError);
    expect(error).toMatchObject({
      code: RtmpErrorCode.ClientRejected,
      serverCode: NetStatusCode.PlayFailed,
      serverDescription: 'No viewers for this one',
    });
    expect(statuses).toEqual([NetStatusCode.PlayFailed]);
    expect(await closed).toBe(error);
    expect((error as Error).message).not.toContain('secret-stream');

    const wrongApp = new RtmpPlayClient({ url: baseUrl.replace('/live', '/other') + '/key' });
    await expect(wrongApp.connect()).rejects.toMatchObject({
      code: RtmpErrorCode.ClientRejected,
      serverCode: NetStatusCode.ConnectInvalidApp,
    });
  });

  it('fails with a timeout when the server never answers, and at once when nobody listens', async () => {
    const accepted: Socket[] = [];
    const silent = createServer((socket) => {
      accepted.push(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const client = new RtmpPlayClient({
      url: `rtmp://127.0.0.1:${port}/live/key`,
      connectTimeoutMs: 300,
    });
    await expect(client.connect()).rejects.toMatchObject({ code: RtmpErrorCode.ClientTimeout });
    const closed = new Promise<void>((resolve) => silent.close(() => resolve()));
    for (const socket of accepted) socket.destroy();
    await closed;

    const nobody = new RtmpPlayClient({
      url: `rtmp://127.0.0.1:${await freeLoopbackPort()}/live/key`,
    });
    await expect(nobody.connect()).rejects.toMatchObject({
      code: RtmpErrorCode.ClientConnectFailed,
    });
  });

  it('keeps playing when a listener throws, and reports the exception', async () => {
    const key = 'throwing-listener';
    const errors: unknown[] = [];
    const client = new RtmpPlayClient({
      url: `${baseUrl}/${key}`,
      onListenerError: (error) => errors.push(error),
    });
    let delivered = 0;
    client.onPacket(() => {
      throw new Error('consumer bug');
    });
    client.onPacket(() => (delivered += 1));
    const left = new Promise<void>((resolve) =>
      client.onStatus((s) => s.code === NetStatusCode.PlayUnpublishNotify && resolve()),
    );
    await client.connect();
    const publisher = new RtmpPublishClient({ url: `${baseUrl}/${key}` });
    await publisher.connect();
    sendTags(publisher, tags);
    await publisher.close();
    await left;
    expect(delivered).toBeGreaterThan(100);
    expect(errors).toHaveLength(delivered);
    expect(client.playing).toBe(true);
    await client.close();
  });

  it('hears Play.Stop when the server shuts down, then closes with a ClientClosed cause', async () => {
    const own = new RtmpServer(
      { port: 0, host: '127.0.0.1' },
      {
        verifyRequest: () => StreamVerdicts.accept(),
        logger: { log: () => undefined, warn: () => undefined, error: console.error },
      },
    );
    const { port } = await own.listen();
    const client = new RtmpPlayClient({ url: `rtmp://127.0.0.1:${port}/live/key` });
    const statuses: string[] = [];
    client.onStatus((status) => statuses.push(status.code));
    const closed = new Promise<Error | undefined>((resolve) => client.onClose(resolve));
    await client.connect();
    await own.close();
    const cause = await closed;
    expect(statuses).toEqual([
      NetStatusCode.PlayReset,
      NetStatusCode.PlayStart,
      NetStatusCode.PlayStop,
    ]);
    expect(cause).toBeInstanceOf(RtmpClientError);
    expect(cause).toMatchObject({ code: RtmpErrorCode.ClientClosed });
    expect(client.playing).toBe(false);
  });
});
