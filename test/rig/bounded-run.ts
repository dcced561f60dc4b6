/**
 * Runs the plugin under a watch that ends it when it hangs or grows: for tests of inputs that used to block forever
 * (a FIFO) or read without end (/dev/zero). The bounds sit far above what a correct run needs (it exits in well under
 * a second), so they never decide a passing run; they only keep a regression from hanging the suite or exhausting
 * the machine's memory, and say which bound ended it.
 */
import { readFileSync } from 'node:fs';
import { pluginBin } from './build.js';
import { type PluginResult, startProcess } from './plugin.js';

export interface BoundedResult extends PluginResult {
  /** Why the watch ended the run, when it did. */
  readonly killedFor: 'time' | 'memory' | undefined;
}

export async function runPluginBounded(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
  { maxMs = 20_000, maxRssMb = 400 }: { maxMs?: number; maxRssMb?: number } = {},
): Promise<BoundedResult> {
  const plugin = startProcess(pluginBin, args, env);
  let killedFor: BoundedResult['killedFor'];
  const started = Date.now();
  const watch = setInterval(() => {
    if (Date.now() - started > maxMs) killedFor = 'time';
    else if (rssMb(plugin.pid) > maxRssMb) killedFor = 'memory';
    if (killedFor) plugin.kill();
  }, 50);
  try {
    return { ...(await plugin.result), killedFor };
  } finally {
    clearInterval(watch);
  }
}

/** The process's resident memory in MB (0 once it is gone). */
function rssMb(pid: number | undefined): number {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : 0;
  } catch {
    return 0;
  }
}
