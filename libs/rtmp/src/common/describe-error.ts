import { RtmpError } from '../protocol/errors/rtmp-error';

/** How logs show an error: its stable code first when it has one (`RTMP_ERR_...: message`). */
export function describeError(error: unknown): string {
  if (error instanceof RtmpError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
