import * as fc from 'fast-check';
import { RtmpError } from '../../errors/rtmp-error';

/**
 * Runs `action`, expects it to throw an instance of `errorClass` that is a fatal `RtmpError`
 * with `code`, and returns it so the caller can check the context.
 */
export function expectRtmpError<T extends RtmpError>(
  action: () => unknown,
  errorClass: abstract new (...args: never[]) => T,
  code: string,
): T {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(errorClass);
  expect(caught).toBeInstanceOf(RtmpError);
  const error = caught as T;
  expect(error.code).toBe(code);
  expect(error.fatal).toBe(true);
  return error;
}

/** Property: `decode` returns for any bytes or throws an `RtmpError`, never anything else. */
export function expectValueOrRtmpError(decode: (payload: Buffer) => unknown, numRuns = 500): void {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      try {
        decode(Buffer.from(bytes));
      } catch (error) {
        expect(error).toBeInstanceOf(RtmpError);
      }
    }),
    { numRuns },
  );
}

export function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}
