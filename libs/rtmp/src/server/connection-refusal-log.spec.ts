import { ConnectionRefusalLog } from './connection-refusal-log';

describe('ConnectionRefusalLog', () => {
  let lines: string[];
  let log: ConnectionRefusalLog;

  beforeEach(() => {
    jest.useFakeTimers();
    lines = [];
    log = new ConnectionRefusalLog({
      log: () => undefined,
      warn: (line) => lines.push(line),
      error: () => undefined,
    });
  });

  afterEach(() => {
    log.close();
    jest.useRealTimers();
  });

  it('logs the first refusal at once and sums up the rest once per interval', () => {
    for (let i = 0; i < 5_000; i++) log.record('maxConnections', `127.0.1.${i % 20}`);
    for (let i = 0; i < 300; i++) log.record('maxConnectionsPerAddress', '127.0.1.1');
    expect(lines).toEqual([
      'refusing connections: maxConnections (further refusals are summed up every 10 s)',
    ]);
    jest.advanceTimersByTime(10_000);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe(
      'refused 5299 connection(s) from 20 address(es) in the last 10 s (maxConnections: 4999, maxConnectionsPerAddress: 300)',
    );
  });

  it('goes quiet after a quiet interval, and logs the next refusal at once again', () => {
    log.record('maxConnections', '127.0.0.1');
    jest.advanceTimersByTime(10_000);
    jest.advanceTimersByTime(10_000);
    expect(lines).toHaveLength(1);
    expect(jest.getTimerCount()).toBe(0);
    log.record('maxConnections', '127.0.0.1');
    expect(lines).toHaveLength(2);
  });

  it('leaves no timer once closed', () => {
    log.record('maxConnections', '127.0.0.1');
    log.close();
    expect(jest.getTimerCount()).toBe(0);
  });
});
