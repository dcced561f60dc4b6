import { describe, expect, it } from 'vitest';
import { countdownLine, rowsAfterResize, width } from '../../src/core/countdown-line.js';

const label = 'Waiting for the login at the provider';
const text = (columns: number) => {
  const line = countdownLine(label, 171_000, columns);
  return `${line.before}${line.time}${line.after}`;
};

describe('the countdown line', () => {
  it.each([
    [100, `${label}: 2:51 left (Ctrl-C to stop)`],
    [66, `${label}: 2:51 left (Ctrl-C to stop)`],
    [65, '2:51 left, Ctrl-C stops'],
    [36, '2:51 left, Ctrl-C stops'],
    [24, '2:51 left, Ctrl-C stops'],
    [23, '2:51 left'],
    [4, '2:5'],
    [0, '2'],
  ])('at %i columns: %s', (columns, expected) => {
    expect(text(columns)).toBe(expected);
  });

  it('never reaches the last column', () => {
    for (let columns = 2; columns <= 120; columns++) {
      expect(width(countdownLine(label, 599_000, columns))).toBeLessThan(columns);
    }
  });

  it('knows how many rows a re-wrapped line takes', () => {
    expect(rowsAfterResize(0, 36)).toBe(1);
    expect(rowsAfterResize(36, 36)).toBe(1);
    expect(rowsAfterResize(66, 36)).toBe(2);
    expect(rowsAfterResize(66, 20)).toBe(4);
  });
});
