import { expect } from 'vitest';
import { BrokerError, type ErrorCode } from '../../broker/errors.js';

/** Runs `action`, expects a BrokerError with `code`, and returns its detail for further checks. */
export function expectBrokerError(action: () => unknown, code: ErrorCode, detail?: RegExp): string {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'expected a BrokerError to be thrown').toBeInstanceOf(BrokerError);
  const error = thrown as BrokerError;
  expect(error.code, `detail: ${error.detail}`).toBe(code);
  if (detail !== undefined) expect(error.detail).toMatch(detail);
  return error.detail;
}
