import { describe, expect, it } from 'vitest';
import { type FileFacts, untrustedDirectory, untrustedEntry } from '../../src/cache/trust.js';

const me = 1001;
const dir = (uid: number, mode: number): FileFacts => ({ uid, mode: 0o040000 | mode, kind: 'directory' });
const file = (uid: number, mode: number): FileFacts => ({ uid, mode: 0o100000 | mode, kind: 'file' });

describe('cache trust (POSIX owner and mode)', () => {
  it.each([
    [dir(me, 0o700), undefined],
    [dir(me, 0o755), undefined],
    [dir(0, 0o755), undefined],
    [dir(me, 0o770), 'is writable by its group (mode 0770)'],
    [dir(me, 0o1777), 'is writable by its group and all users (mode 1777)'],
    [dir(me, 0o702), 'is writable by all users (mode 0702)'],
    [dir(1000, 0o700), 'is owned by another user (uid 1000, you are 1001)'],
  ])('directory %j → %s', (facts, problem) => {
    const error = untrustedDirectory('/c', facts, me);
    if (problem === undefined) expect(error).toBeUndefined();
    else expect(error).toMatchObject({ exitCode: 6, message: expect.stringContaining(problem) });
  });

  it.each([
    [file(me, 0o600), undefined],
    // Readable by others is not refused here (reported and replaced by the store), writable is.
    [file(me, 0o644), undefined],
    [file(0, 0o600), undefined],
    [file(me, 0o620), 'is writable by its group (mode 0620)'],
    [file(1000, 0o600), 'is owned by another user (uid 1000, you are 1001)'],
    [{ uid: me, mode: 0o010600, kind: 'fifo' } as FileFacts, 'is a FIFO (named pipe)'],
    [{ uid: me, mode: 0, kind: 'symlink' } as FileFacts, 'is a symbolic link'],
  ])('entry %j → %s', (facts, problem) => {
    const error = untrustedEntry('/c/e.json', facts, me);
    if (problem === undefined) expect(error).toBeUndefined();
    else expect(error).toMatchObject({ exitCode: 6, hint: expect.stringContaining('rm /c/e.json') });
    if (problem) expect(error?.message).toContain(problem);
  });
});
