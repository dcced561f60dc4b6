/**
 * Profile-guided layout of the executables' bytecode (`bun build --bytecode-order`): one cache hit of a host
 * executable runs with BUN_BYTECODE_ORDER_OUT, which makes Bun write the functions it loaded; compiled again with that
 * file, Bun stores those functions together at the front, so a hit touches fewer pages of the executable (~1.4 MiB
 * less peak memory on linux_amd64; docs/performance.md). The file names functions by their code, not by platform, so
 * the host's run serves every target.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { execInfo, writeHitFixture } from '../hit-fixture.mjs';

/** Runs one cache hit of `executable` (built for this machine) and returns the order file Bun wrote. */
export function recordHitBytecodeOrder(executable: string, workDir: string): string {
  const dir = mkdtempSync(join(workDir, 'bytecode-order-'));
  const { args } = writeHitFixture(dir);
  const orderFile = join(dir, 'hit.order');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KUBERNETES_EXEC_INFO: execInfo,
    BUN_BYTECODE_ORDER_OUT: orderFile,
  };
  delete env.NODE_EXTRA_CA_CERTS;
  const result = spawnSync(executable, args, { env, encoding: 'utf8' });
  if (result.status !== 0 || result.stderr !== '' || !result.stdout.includes('"ExecCredential"'))
    throw new Error(`the cache hit that records the bytecode order was not a hit: ${result.stderr}`);
  if (!existsSync(orderFile)) throw new Error(`${executable} wrote no bytecode order file`);
  return orderFile;
}
