/**
 * When a file under the code cache's name may be run as the hit's bytecode (src/core/code-cache.ts): the rule the
 * loader applies to the fstat of the opened file. test/integration/code-cache.test.ts runs it on real files.
 */
import { describe, expect, it } from 'vitest';
import {
  type CodeCacheFileFacts,
  codeCacheFileName,
  currentRuntime,
  maxCodeCacheBytes,
  trustedCodeCache,
  wrapForCodeCache,
} from '../../src/core/code-cache.js';

const recorded: CodeCacheFileFacts = {
  isFile: true,
  size: 70_000,
  mode: 0o100644,
  uid: 1000,
  directoryUid: 1000,
  windows: false,
};

describe('trustedCodeCache', () => {
  it('runs a regular file the owner of the bundles (or root) wrote, which no one else may change', () => {
    expect(trustedCodeCache(recorded)).toBe(true);
    expect(trustedCodeCache({ ...recorded, mode: 0o100600 })).toBe(true);
    expect(trustedCodeCache({ ...recorded, uid: 0 })).toBe(true);
  });

  it.each([
    ['another user’s file', { uid: 1001 }],
    ['a file its group may write', { mode: 0o100664 }],
    ['a file all may write', { mode: 0o100646 }],
    ['not a regular file (a FIFO, a directory)', { isFile: false }],
    ['an empty file', { size: 0 }],
    ['a file larger than any cache of ours', { size: maxCodeCacheBytes + 1 }],
  ])('ignores %s', (_name, change) => {
    expect(trustedCodeCache({ ...recorded, ...change })).toBe(false);
  });

  it('on Windows, leaves owners and mode bits to the directory’s ACL, and keeps the file rule', () => {
    expect(trustedCodeCache({ ...recorded, windows: true, uid: 0, directoryUid: 0, mode: 0o100666 })).toBe(
      true,
    );
    expect(trustedCodeCache({ ...recorded, windows: true, isFile: false })).toBe(false);
    expect(trustedCodeCache({ ...recorded, windows: true, size: maxCodeCacheBytes + 1 })).toBe(false);
  });
});

describe('the code cache’s name and source', () => {
  it('names the build, the Node version, the platform, the architecture and the executable', () => {
    const runtime = { version: 'v20.19.0', platform: 'linux', arch: 'arm64', executableSize: 96_000_000 };
    expect(codeCacheFileName('0123abcd', runtime)).toBe(
      'kubectl-together_login-hit.0123abcd.node-v20.19.0-linux-arm64-96000000.v8-cache',
    );
    // Another build of the same Node version (a distribution's and nodejs.org's) has another name.
    expect(codeCacheFileName('0123abcd', { ...runtime, executableSize: 96_000_008 })).not.toBe(
      codeCacheFileName('0123abcd', runtime),
    );
    expect(
      currentRuntime({ version: 'v20.19.0', platform: 'linux', arch: 'arm64', execPath: '/n' }, (path) =>
        path === '/n' ? 96_000_000 : 0,
      ),
    ).toEqual(runtime);
    expect(codeCacheFileName('0123abce', runtime)).not.toBe(codeCacheFileName('0123abcd', runtime));
    expect(codeCacheFileName('0123abcd', { ...runtime, version: 'v20.19.1' })).not.toBe(
      codeCacheFileName('0123abcd', runtime),
    );
  });

  it('wraps the bundle on its first line, so its other lines keep their numbers', () => {
    const wrapped = wrapForCodeCache('line1\nline2');
    expect(wrapped.split('\n')[1]).toBe('line2');
    expect(wrapped).toMatch(/^\(function \(exports, require, module, __filename, __dirname\) \{ line1\n/);
  });
});
