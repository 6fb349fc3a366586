import { LoggerService } from '@nestjs/common';

export type LogLevel = 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';

/** One call to the logger: the message and every extra argument (stack, context...). */
export interface LogLine {
  readonly level: LogLevel;
  readonly message: string;
  readonly params: readonly string[];
}

interface Waiter {
  readonly predicate: (line: LogLine) => boolean;
  readonly resolve: (line: LogLine) => void;
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return value.stack ?? value.message;
  return JSON.stringify(value) ?? String(value);
}

/**
 * A Nest LoggerService that keeps every line, for tests that assert on logs
 * (`createApplicationContext(Module, { logger: captureLogger })` or a module's `logger` option).
 * Tests wait for a line with `waitFor`, never with a sleep.
 */
export class CaptureLogger implements LoggerService {
  readonly lines: LogLine[] = [];
  private waiters: Waiter[] = [];

  log(message: unknown, ...params: unknown[]): void {
    this.add('log', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.add('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.add('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.add('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.add('verbose', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.add('fatal', message, params);
  }

  /** Every line as one string: level, message and extra arguments. */
  texts(): string[] {
    return this.lines.map((line) => [line.level, line.message, ...line.params].join(' '));
  }

  /** Lines whose message matches. */
  matching(pattern: RegExp, level?: LogLevel): LogLine[] {
    return this.lines.filter(
      (line) => pattern.test(line.message) && (level === undefined || line.level === level),
    );
  }

  /** Resolves with the first line (already logged or still to come) that satisfies `predicate`. */
  waitFor(predicate: (line: LogLine) => boolean): Promise<LogLine> {
    const logged = this.lines.find(predicate);
    if (logged !== undefined) return Promise.resolve(logged);
    return new Promise((resolve) => this.waiters.push({ predicate, resolve }));
  }

  /** Resolves once `count` lines match `pattern`. */
  async waitForCount(pattern: RegExp, count: number): Promise<LogLine[]> {
    let seen = 0;
    // The predicate sees each line once, logged or still to come, in order: it counts them.
    await this.waitFor((line) => pattern.test(line.message) && (seen += 1) >= count);
    return this.matching(pattern);
  }

  private add(level: LogLevel, message: unknown, params: unknown[]): void {
    const line: LogLine = {
      level,
      message: text(message),
      params: params.filter((param) => param !== undefined).map(text),
    };
    this.lines.push(line);
    const waiting = this.waiters;
    this.waiters = [];
    for (const waiter of waiting) {
      if (waiter.predicate(line)) waiter.resolve(line);
      else this.waiters.push(waiter);
    }
  }
}
