import { RtmpError } from '../../errors/rtmp-error';
import { RtmpErrorCode } from '../../errors/rtmp-error-code';

type ErrorClass = abstract new (...args: never[]) => RtmpError;

/**
 * Runs `action`, expects it to throw an instance of `errorClass` with `code` and `fatal`, and
 * returns the error for further checks.
 */
export function expectRtmpError(
  action: () => unknown,
  errorClass: ErrorClass,
  code: RtmpErrorCode,
  fatal: boolean,
): RtmpError {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(errorClass);
  const error = thrown as RtmpError;
  expect(error.code).toBe(code);
  expect(error.fatal).toBe(fatal);
  return error;
}
