/**
 * The logging the server needs. Nest's `Logger` fits it as is; the default writes warnings
 * and errors to the console. Messages never contain a full stream key.
 */
export interface RtmpLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug?(message: string): void;
}

export const consoleRtmpLogger: RtmpLogger = {
  log: () => undefined,
  warn: (message) => console.warn(`[rtmp] ${message}`),
  error: (message) => console.error(`[rtmp] ${message}`),
};
