/**
 * What a cache hit does once running: kubectl starts the plugin before every command, so the hit must do
 * only the work it needs. test/integration/bundle-split.test.ts checks what the entry bundle holds; this file runs the
 * hit of the Node package (a plain login token and a token exchanged for a cluster's audience) and checks how it runs.
 */
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { execInfo, writeExchangedHitFixture, writeHitFixture } from '../../scripts/hit-fixture.mjs';
import { cacheEntryFileName } from '../../src/core/cache-key.js';
import { nodePluginBin } from '../rig/build.js';
import { baseEnvironment, parseCredential, runPlugin, tempDir } from '../rig/plugin.js';

const dir = tempDir('cache-hit-work');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fixture = writeHitFixture(dir);
const hits = { 'a login token': fixture.args, 'an exchanged token': writeExchangedHitFixture(fixture) };

/** One hit of the Node package's entry with V8 `flags`: stdout and stderr. */
async function hit(args: readonly string[], flags: readonly string[]) {
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [...flags, nodePluginBin, ...args], {
    env: { ...baseEnvironment(), KUBERNETES_EXEC_INFO: execInfo },
  });
  expect(stdout).toContain('"ExecCredential"');
  return { stdout, stderr };
}

describe('the cache hit of the Node package', () => {
  // A function V8 finds hot is compiled by TurboFan: ~1 M instructions, and Node's optimising compiler paged in
  // (+3.5 MiB peak memory). The exchanged hit hashed two keys with a rotation helper called ~4,600 times, which V8
  // optimised: its peak memory was 43 MiB against the plain hit's 39.5 (docs/performance.md).
  it.each(Object.entries(hits))('of %s makes V8 optimise no function', async (_, args) => {
    const { stdout } = await hit(args, ['--trace-opt']);
    expect(stdout.split('\n').filter((line) => line.includes('for optimization'))).toEqual([]);
  });
});

describe('the cache hit of the Node package, once it ends', () => {
  // Installing them costs a Node hit ~0.4 M instructions; a hit ends in milliseconds, a login installs them
  // (src/platform/interrupts.ts; test/integration/authcode-options.test.ts checks its 130 and 143).
  it('has installed no SIGINT or SIGTERM handler', async () => {
    const probe = join(dir, 'signal-listeners.cjs');
    writeFileSync(
      probe,
      "const count = () => process.listenerCount('SIGINT') + process.listenerCount('SIGTERM');\n" +
        "process.on('exit', () => require('node:fs').writeSync(2, 'signal listeners: ' + count() + '\\n'));\n",
    );
    const { stderr } = await hit(fixture.args, ['--require', probe]);
    expect(stderr).toBe('signal listeners: 0\n');
  });
});

describe('the cache hit of an exchanged token', () => {
  // Its hit is one entry read and its checks, like a login's: the login's entry is not read (a refresh needs it).
  it("reads the exchanged token's own entry alone: it answers with the login's entry gone", async () => {
    const own = writeHitFixture(tempDir('cache-hit-exchanged'));
    const exchangedToken = `eyJhbGciOiJSUzI1NiJ9.${'e'.repeat(600)}.${'s'.repeat(342)}`;
    const args = writeExchangedHitFixture(own, exchangedToken);
    rmSync(join(own.cacheDir, cacheEntryFileName(own.key)));
    const result = await runPlugin(args, { KUBERNETES_EXEC_INFO: execInfo });
    rmSync(join(own.cacheDir, '..'), { recursive: true, force: true });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(parseCredential(result.stdout).token).toBe(exchangedToken);
  });
});
