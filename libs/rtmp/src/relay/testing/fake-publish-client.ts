import type { ReconnectRequest, RtmpPublishClientOptions } from '../../client/rtmp-publish-client';

/*
 * The relay specs replace the push client with a fake the test drives (accept the publish,
 * lose the connection, refuse sends as a destination that has fallen behind), so the relay's
 * own rules can be checked one at a time and its timers run on fake time. A spec swaps it in
 * with
 *
 *   jest.mock('../client/rtmp-publish-client', () =>
 *     jest.requireActual('./testing/fake-publish-client').publishClientModuleWithFakes(),
 *   );
 *
 * and `useRelayHarness` (relay-harness.ts) makes every relay's client a FakeClient.
 */

/** What `new RtmpPublishClient(options)` makes: `create`'s client while `fake`, else the real one. */
export const publishClients: {
  fake: boolean;
  create?: (options: RtmpPublishClientOptions) => unknown;
} = { fake: true };

/** The rtmp-publish-client module, its RtmpPublishClient made as `publishClients` says. */
export function publishClientModuleWithFakes() {
  const actual = jest.requireActual<typeof import('../../client/rtmp-publish-client')>(
    '../../client/rtmp-publish-client',
  );
  return {
    ...actual,
    RtmpPublishClient: jest.fn((options: RtmpPublishClientOptions) =>
      publishClients.fake && publishClients.create !== undefined
        ? publishClients.create(options)
        : new actual.RtmpPublishClient(options),
    ),
  };
}

/** What the relay handed the fake client, in order. */
export interface Sent {
  readonly kind: string;
  readonly timestamp: number;
  readonly force: boolean;
}

/** A push client whose destination the test plays. */
export class FakeClient {
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
