import { NetStatusCode } from '../protocol/command/net-status-code';
import { RtmpErrorCode } from '../protocol/errors/rtmp-error-code';
import { ReconnectLoop } from './reconnect-loop';
import { RtmpClientError } from '../client/rtmp-client.error';
import type { RelayStatus } from './relay-status';

const BACKOFF = { initialDelayMs: 100, maxDelayMs: 400, multiplier: 2, jitter: 0 };

const badName = new RtmpClientError(
  RtmpErrorCode.ClientRejected,
  'rtmp://host:1935/live/***(3) refused publish: NetStream.Publish.BadName',
  NetStatusCode.PublishBadName,
);
const unknownHost = new RtmpClientError(
  RtmpErrorCode.ClientConnectFailed,
  'connection to rtmp://nowhere.invalid:1935/live/***(3) failed: getaddrinfo ENOTFOUND',
  undefined,
  undefined,
  { systemCode: 'ENOTFOUND' },
);
const refused = new RtmpClientError(
  RtmpErrorCode.ClientConnectFailed,
  'connection to rtmp://host:1935/live/***(3) failed: connect ECONNREFUSED',
  undefined,
  undefined,
  { systemCode: 'ECONNREFUSED' },
);

describe('ReconnectLoop', () => {
  let connects: number;
  let loop: ReconnectLoop;
  let statuses: RelayStatus[];

  beforeEach(() => {
    jest.useFakeTimers();
    connects = 0;
    loop = new ReconnectLoop(() => {
      connects += 1;
      loop.connecting();
    }, BACKOFF);
    statuses = [];
    loop.onStatus((status) => statuses.push(status));
  });

  afterEach(() => {
    loop.stopped();
    jest.useRealTimers();
  });

  it('reports a failure that will happen again as failing, with its reason and the retry delay', () => {
    loop.failed(badName);
    expect(loop.status).toEqual({
      state: 'failing',
      error: badName,
      retryInMs: 100,
      reason: 'publish-refused',
    });
  });

  it('keeps retrying while failing, on the same backoff up to its ceiling', () => {
    const delays: number[] = [];
    for (let attempt = 0; attempt < 4; attempt += 1) {
      loop.failed(unknownHost);
      expect(loop.status).toMatchObject({ state: 'failing', reason: 'unknown-host' });
      delays.push(loop.status.retryInMs as number);
      jest.advanceTimersByTime(loop.status.retryInMs as number);
      expect(connects).toBe(attempt + 1);
    }
    expect(delays).toEqual([100, 200, 400, 400]);
  });

  it('a transient failure is retrying, without a reason', () => {
    loop.failed(refused);
    expect(loop.status).toEqual({ state: 'retrying', error: refused, retryInMs: 100 });
    loop.failed(undefined);
    expect(loop.status).toEqual({ state: 'retrying', error: undefined, retryInMs: 200 });
  });

  it('goes from failing to live once the remote is fixed, and back to the first delay after', () => {
    loop.failed(badName);
    jest.advanceTimersByTime(100);
    expect(loop.live()).toBe(false);
    loop.failed(refused);
    expect(statuses.map((s) => s.state)).toEqual([
      'connecting',
      'failing',
      'connecting',
      'live',
      'retrying',
    ]);
    expect(loop.status.retryInMs).toBe(100);
  });

  it('keeps the last error when stopped while failing, and retries no more', () => {
    loop.failed(unknownHost);
    loop.stopped();
    expect(loop.status).toEqual({ state: 'stopped', error: unknownHost });
    jest.advanceTimersByTime(1_000);
    expect(connects).toBe(0);
  });
});
