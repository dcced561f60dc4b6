/**
 * Moves a finished temporary file over its destination. On Windows a rename over a file that another process holds
 * open (kubectl reading the kubeconfig, an antivirus scanner, the search indexer) fails with EPERM, EACCES or EBUSY
 * for as long as that process keeps it; such holds last milliseconds to a few seconds. We retry for a bounded time,
 * as graceful-fs does on Windows (it retries up to 60 s; a kubectl exec plugin cannot keep kubectl waiting that
 * long, so we stop after 10 s), with a growing pause. Elsewhere those codes mean a real permission problem and are
 * reported at once.
 */
import { renameSync } from 'node:fs';

/** The file-system calls the retry needs; tests answer them from a table. */
export interface ReplaceSeam {
  readonly platform: NodeJS.Platform;
  rename(from: string, to: string): void;
  now(): number;
  sleep(ms: number): void;
}

export const replaceRetryMs = 10_000;
const transientOnWindows = new Set(['EPERM', 'EACCES', 'EBUSY']);

export function isTransientReplaceError(code: string | undefined, platform: NodeJS.Platform): boolean {
  return platform === 'win32' && code !== undefined && transientOnWindows.has(code);
}

export function replaceFileSync(from: string, to: string, seam: ReplaceSeam = systemSeam): void {
  const deadline = seam.now() + replaceRetryMs;
  let pauseMs = 0;
  for (;;) {
    try {
      seam.rename(from, to);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (!isTransientReplaceError(code, seam.platform) || seam.now() >= deadline) throw error;
    }
    pauseMs = Math.min(pauseMs + 10, 100);
    seam.sleep(Math.min(pauseMs, Math.max(0, deadline - seam.now())));
  }
}

const systemSeam: ReplaceSeam = {
  platform: process.platform,
  rename: renameSync,
  now: Date.now,
  // A synchronous pause: the callers (the cache write, the kubeconfig write) are synchronous on purpose. Its shared
  // memory is made here, when a retried rename on Windows pauses, not when the module loads on every cache hit: a
  // SharedArrayBuffer cost the standalone's hit ~0.1 M instructions and ~0.3 MiB (docs/performance.md).
  sleep: (ms) => {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  },
};
