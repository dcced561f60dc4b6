/** The error contract (README "Exit codes and errors"): exactly one `error:` line and one `hint:` line, no stack. */
import { expect } from 'vitest';

export function expectOneError(stderr: string, error: RegExp, hint: RegExp = /^hint: ./): void {
  const lines = stderr.split('\n');
  expect(
    lines.filter((line) => line.startsWith('error: ')),
    stderr,
  ).toEqual([expect.stringMatching(error)]);
  expect(
    lines.filter((line) => line.startsWith('hint: ')),
    stderr,
  ).toEqual([expect.stringMatching(hint)]);
  expect(stderr).not.toMatch(/\n\s+at /);
  expect(stderr).not.toContain('unexpected failure');
}
