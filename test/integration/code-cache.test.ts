/**
 * The V8 code cache of the Node package's hit (src/loader.ts, src/core/code-cache.ts, scripts/record-code-cache.mts):
 * the install records it, the command runs the hit from it and prints what it prints without it, and a file under
 * the cache's name that the install did not write, or that V8 refuses, changes nothing but the time. Each test works
 * on a copy of dist/'s bundles of its own, as an install lays them out.
 *
 * Whether V8 used the cache is observed with its own `--profile-deserialization` flag (which does not change the
 * flags a cache is checked against): V8 prints `[Deserializing from N bytes …]` on stdout for a cache of N bytes it
 * accepts, `[Cached code failed check]` for one it refuses.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { hitBundle, recorderBundle } from '../../scripts/bundle-split.mjs';
import { execInfo, writeExchangedHitFixture, writeHitFixture } from '../../scripts/hit-fixture.mjs';
import { codeCacheFileName, currentRuntime } from '../../src/core/code-cache.js';
import { repoRoot } from '../rig/build.js';
import { baseEnvironment, parseCredential, runCommand, tempDir } from '../rig/plugin.js';
import { requirement } from '../rig/requirement.js';
import { type SecondUserDir, secondUserDir } from '../rig/second-user.js';

/** Switching uids and chown need root, as in CI; elsewhere those tests skip, loudly. */
const isRoot = requirement(process.getuid?.() === 0, {
  underCi: 'the code cache tests act as a second user (setpriv, chown): CI runs them as root',
  skipping: 'the code cache tests that need root (another user’s file, a second user’s install)',
});
const attackerUid = 1000;
const asUser = (uid: number) => ['--reuid', String(uid), '--regid', String(uid), '--clear-groups'];

const work = tempDir('code-cache');
const made: SecondUserDir[] = [];
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  for (const dir of made) dir.remove();
});
const fixture = writeHitFixture(work);
const dist = join(repoRoot, 'dist');
const loaderName = 'kubectl-together_login.cjs';

const buildIdOf = (bundle: Buffer) => createHash('sha256').update(bundle).digest('hex').slice(0, 32);
/** Where the loader in `dir` looks for the cache of the hit bundle beside it. */
const cachePathIn = (dir: string) =>
  join(
    dir,
    codeCacheFileName(
      buildIdOf(readFileSync(join(dir, hitBundle))),
      currentRuntime(process, (path) => statSync(path).size),
    ),
  );

/** dist/'s bundles without a cache, in a directory of their own (under `parent`, or the test's own). */
function packageCopy(name: string, parent = work): string {
  const dir = join(parent, name);
  mkdirSync(dir, { recursive: true });
  for (const file of readdirSync(dist).filter((file) => file.endsWith('.cjs')))
    copyFileSync(join(dist, file), join(dir, file));
  return dir;
}

/** What npm's postinstall runs in `dir`; returns the cache's path. */
async function record(dir: string): Promise<string> {
  const result = await runCommand(process.execPath, [join(dir, recorderBundle)]);
  expect(result, 'the recorder says nothing and exits 0').toEqual({ code: 0, stdout: '', stderr: '' });
  return cachePathIn(dir);
}

interface Hit {
  /** The credential printed. */
  readonly credential: ReturnType<typeof parseCredential>;
  /** Whether V8 deserialized a cache of exactly this many bytes (accepted it). */
  readonly acceptedBytes: number | undefined;
  /** Whether V8 refused a cache. */
  readonly refused: boolean;
  readonly stderr: string;
}

/** One hit through the loader in `dir`, run by this Node as kubectl runs it, with V8 reporting its caches. */
async function hit(
  dir: string,
  args: readonly string[] = fixture.args,
  command = join(dir, loaderName),
): Promise<Hit> {
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    ['--profile-deserialization', command, ...args],
    { env: { ...baseEnvironment(), KUBERNETES_EXEC_INFO: execInfo }, timeout: 60_000 },
  );
  const lines = stdout.split('\n');
  const json = lines.find((line) => line.startsWith('{')) ?? '';
  // Node's own built-in modules come with code caches of a few KB: only the largest deserialization is the hit's.
  const sizes = lines.flatMap((line) => {
    const match = /^\[Deserializing from (\d+) bytes/.exec(line);
    return match ? [Number(match[1])] : [];
  });
  return {
    credential: parseCredential(json),
    acceptedBytes: sizes.length ? Math.max(...sizes) : undefined,
    refused: lines.includes('[Cached code failed check]'),
    stderr,
  };
}

describe('the code cache of the Node package', () => {
  it('is recorded by the install, accepted by V8, and the hit through it prints the same credential', async () => {
    const dir = packageCopy('recorded');
    const without = await hit(dir);
    expect(without.acceptedBytes === undefined || without.acceptedBytes < 20_000).toBe(true);

    const recorderTemp = () =>
      readdirSync(tmpdir()).filter((name) => name.startsWith('kubectl-together_login-record-'));
    const cache = await record(dir);
    const file = statSync(cache);
    expect(file.mode & 0o777).toBe(0o644);
    // Nothing else was left behind: no temporary file in dist, no fixture in the temporary directory.
    expect(readdirSync(dir).filter((name) => !name.endsWith('.cjs'))).toEqual([cache.slice(dir.length + 1)]);
    expect(recorderTemp()).toEqual([]);

    const withCache = await hit(dir);
    expect(withCache.acceptedBytes).toBe(file.size);
    expect(withCache.refused).toBe(false);
    expect(withCache.credential).toEqual(without.credential);
    expect(withCache.stderr).toBe('');
  });

  it('is found through a linked command, as npm links it into its bin directory', async () => {
    const dir = packageCopy('linked');
    const cache = await record(dir);
    const bin = join(work, 'linked-bin');
    mkdirSync(bin);
    symlinkSync(join(dir, loaderName), join(bin, 'kubectl-together_login'));
    const linked = await hit(dir, fixture.args, join(bin, 'kubectl-together_login'));
    expect(linked.acceptedBytes).toBe(statSync(cache).size);
    expect(linked.credential.token).toBeTruthy();
  });

  it('is recorded in place of the caches of other builds and Nodes, which the install removes', async () => {
    const dir = packageCopy('upgraded');
    const stale = [
      'kubectl-together_login-hit.0123456789abcdef0123456789abcdef.node-v20.19.0-linux-x64-1234.v8-cache',
      'kubectl-together_login-hit.fedcba9876543210fedcba9876543210.node-v20.19.0-linux-x64.v8-cache',
    ];
    for (const name of stale) writeFileSync(join(dir, name), 'old', { mode: 0o644 });
    writeFileSync(join(dir, 'notes.v8-cache'), 'not ours', { mode: 0o644 });
    const cache = await record(dir);
    expect(
      readdirSync(dir)
        .filter((name) => !name.endsWith('.cjs'))
        .sort(),
    ).toEqual([cache.slice(dir.length + 1), 'notes.v8-cache'].sort());
    expect((await hit(dir)).acceptedBytes).toBe(statSync(cache).size);
  });

  it('keeps stack traces naming the bundle at the same lines and columns', async () => {
    const dir = packageCopy('stacks');
    // A cache directory that is a device fails the hit's write deep in the code, with a stack under -v=2.
    const args = [...fixture.args.filter((arg) => !arg.startsWith('--token-cache-dir')), '-v=2'];
    const failing = [...args, '--token-cache-dir=/dev/null'];
    const run = () =>
      runCommand(process.execPath, [join(dir, loaderName), ...failing], { KUBERNETES_EXEC_INFO: execInfo });
    const without = await run();
    await record(dir);
    const withCache = await run();
    expect(withCache.stderr).toMatch(new RegExp(`at .*${hitBundle.replace(/[.-]/g, '\\$&')}:\\d+:\\d+`));
    expect(withCache).toEqual(without);
  });

  it('never runs the cache of another build: V8 would run its bytecode for new source of the same length', async () => {
    const dir = packageCopy('rebuilt');
    const oldCache = await record(dir);
    const oldId = buildIdOf(readFileSync(join(dir, hitBundle)));
    // A new build whose hit bundle has the length of the old one: one debug message changed.
    const args = [...fixture.args, '-v=2'];
    const bundle = readFileSync(join(dir, hitBundle), 'utf8');
    expect(bundle).toContain('`cache key ${');
    writeFileSync(join(dir, hitBundle), bundle.replace('`cache key ${', '`cache kex ${'));
    const newId = buildIdOf(readFileSync(join(dir, hitBundle)));
    const loader = readFileSync(join(dir, loaderName), 'utf8');
    expect(loader).toContain(oldId);
    writeFileSync(join(dir, loaderName), loader.replace(oldId, newId));

    const rebuilt = await hit(dir, args);
    expect(rebuilt.stderr).toMatch(/^\[2\] cache kex /m);
    expect(rebuilt.acceptedBytes === undefined || rebuilt.acceptedBytes < 20_000).toBe(true);

    // Why the name carries the build: the old cache under the new build's name is accepted, and runs the old code.
    renameSync(oldCache, cachePathIn(dir));
    const misnamed = await hit(dir, args);
    expect(misnamed.acceptedBytes).toBe(statSync(cachePathIn(dir)).size);
    expect(misnamed.stderr).toMatch(/^\[2\] cache key /m);
  });

  it.each([
    ['truncated', (bytes: Buffer) => bytes.subarray(0, bytes.length >> 1)],
    ['zero-filled', (bytes: Buffer) => Buffer.alloc(bytes.length)],
    [
      'of another V8 version',
      (bytes: Buffer) => Buffer.concat([bytes.subarray(0, 4), Buffer.from([1, 2, 3, 4]), bytes.subarray(8)]),
    ],
  ])('compiles from the source when V8 refuses the cache (%s): the same credential', async (name, damage) => {
    const dir = packageCopy(`refused-${name.replace(/\W/g, '-')}`);
    const expected = (await hit(dir)).credential;
    const cache = await record(dir);
    writeFileSync(cache, damage(readFileSync(cache)), { mode: 0o644 });
    const result = await hit(dir);
    expect(result.refused).toBe(true);
    expect(result.credential).toEqual(expected);
  });

  it('compiles from the source when the cache was recorded under other V8 flags', async () => {
    const dir = packageCopy('other-flags');
    const expected = (await hit(dir)).credential;
    // The recorder's child, run by hand under a V8 flag the command does not run with.
    const recorded = await runCommand(
      process.execPath,
      ['--stack-size=2000', join(dir, recorderBundle), '--record-after-one-hit', ...fixture.args],
      { KUBERNETES_EXEC_INFO: execInfo },
    );
    expect(recorded.code, recorded.stderr).toBe(0);
    expect(existsSync(cachePathIn(dir))).toBe(true);
    const result = await hit(dir);
    expect(result.refused).toBe(true);
    expect(result.credential).toEqual(expected);
  });

  it('runs the hits from the cache without V8 optimising any function, as without it', async () => {
    // test/integration/cache-hit-work.test.ts checks the hits under --trace-opt, a flag V8 refuses this cache under
    // (it was recorded without): here the cache is recorded under it, so the hits run from it.
    const dir = packageCopy('trace-opt');
    const recorded = await runCommand(
      process.execPath,
      ['--trace-opt', join(dir, recorderBundle), '--record-after-one-hit', ...fixture.args],
      { KUBERNETES_EXEC_INFO: execInfo },
    );
    expect(recorded.code, recorded.stderr).toBe(0);
    const size = statSync(cachePathIn(dir)).size;
    for (const args of [fixture.args, writeExchangedHitFixture(fixture)]) {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--trace-opt', '--profile-deserialization', join(dir, loaderName), ...args],
        { env: { ...baseEnvironment(), KUBERNETES_EXEC_INFO: execInfo } },
      );
      expect(stdout).toContain(`[Deserializing from ${size} bytes`);
      expect(stdout).toContain('"ExecCredential"');
      expect(stdout.split('\n').filter((line) => line.includes('for optimization'))).toEqual([]);
    }
  });

  it.each([
    ['writable by its group', 0o664],
    ['writable by all users', 0o646],
  ])('ignores a cache %s', async (_name, mode) => {
    const dir = packageCopy(`mode-${mode.toString(8)}`);
    const cache = await record(dir);
    chmodSync(cache, mode);
    const result = await hit(dir);
    expect(result.acceptedBytes === undefined || result.acceptedBytes < 20_000).toBe(true);
    expect(result.refused).toBe(false);
    expect(result.credential.token).toBeTruthy();
  });

  it('ignores a link named like the cache, even to a cache V8 would accept', async () => {
    const dir = packageCopy('link');
    const cache = await record(dir);
    renameSync(cache, join(dir, 'elsewhere.v8-cache'));
    symlinkSync(join(dir, 'elsewhere.v8-cache'), cache);
    const result = await hit(dir);
    expect(result.acceptedBytes === undefined || result.acceptedBytes < 20_000).toBe(true);
    expect(result.credential.token).toBeTruthy();
  });

  it('does not hang on a FIFO named like the cache', async () => {
    const dir = packageCopy('fifo');
    const made = await runCommand('mkfifo', [cachePathIn(dir)]);
    expect(made.code, made.stderr).toBe(0);
    const result = await hit(dir);
    expect(result.credential.token).toBeTruthy();
  });

  it.skipIf(!isRoot)('ignores a cache owned by another user', async () => {
    const dir = packageCopy('other-owner');
    const cache = await record(dir);
    chownSync(cache, attackerUid, attackerUid);
    const result = await hit(dir);
    expect(result.acceptedBytes === undefined || result.acceptedBytes < 20_000).toBe(true);
    expect(result.credential.token).toBeTruthy();
  });

  it.skipIf(!isRoot)(
    'ignores a cache another user put in a directory all may add to (sticky, like /tmp)',
    async () => {
      const shared = secondUserDir('code-cache');
      made.push(shared);
      const dir = packageCopy('sticky', shared.path);
      chmodSync(dir, 0o1777);
      // A cache V8 would accept, recorded elsewhere, which the other user may read and copy under the name.
      const source = await record(packageCopy('to-copy', shared.path));
      chmodSync(join(shared.path, 'to-copy'), 0o755);
      const copy = await runCommand('setpriv', [...asUser(attackerUid), 'cp', source, cachePathIn(dir)]);
      expect(copy.code, copy.stderr).toBe(0);
      expect(statSync(cachePathIn(dir)).uid).toBe(attackerUid);
      const result = await hit(dir);
      expect(result.acceptedBytes === undefined || result.acceptedBytes < 20_000).toBe(true);
      expect(result.credential.token).toBeTruthy();
    },
  );
});

describe('the packed package', () => {
  const packed = (() => {
    let files: Promise<{ files: string[]; manifest: Record<string, unknown> }> | undefined;
    return () => {
      files ??= (async () => {
        // --ignore-scripts: the package of the dist/ the run built (prepare would rebuild it under other tests).
        const result = await runCommand('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
          npm_config_cache: join(work, 'npm-cache'),
        });
        expect(result.code, result.stderr).toBe(0);
        const [report] = JSON.parse(result.stdout) as [{ files: { path: string }[] }];
        return {
          files: report.files.map((file) => file.path),
          manifest: JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')),
        };
      })();
      return files;
    };
  })();

  it('holds the loader (npm’s command), the hit bundle and the recorder, and no recorded cache', async () => {
    const { files, manifest } = await packed();
    expect(files).toEqual(
      expect.arrayContaining([`dist/${loaderName}`, `dist/${hitBundle}`, `dist/${recorderBundle}`]),
    );
    expect(files.filter((file) => file.endsWith('.v8-cache'))).toEqual([]);
    expect(manifest.bin).toEqual({ 'kubectl-together_login': `dist/${loaderName}` });
  });

  it('records the cache at install (its postinstall), and exits 0 quietly without dist/ or where it may not write', async () => {
    const { manifest } = await packed();
    const postinstall = (manifest.scripts as Record<string, string>).postinstall as string;
    // As npm runs it: `sh -c` in the package's directory, with this Node first on PATH (the cache is named for the
    // Node that records it), as `user` when given.
    const runPostinstall = (cwd: string, user: readonly string[] = []) =>
      runCommand(
        user.length ? 'setpriv' : 'sh',
        [...user, ...(user.length ? ['sh'] : []), '-c', `cd "${cwd}" && ${postinstall}`],
        { PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH}`, TMPDIR: '/tmp' },
      );

    const installed = join(work, 'installed');
    const dir = packageCopy('dist', installed);
    expect(await runPostinstall(installed)).toEqual({ code: 0, stdout: '', stderr: '' });
    const withCache = await hit(dir);
    expect(withCache.acceptedBytes).toBe(statSync(cachePathIn(dir)).size);

    // A git checkout before `prepare` has built dist/.
    const checkout = join(work, 'checkout');
    mkdirSync(checkout);
    expect(await runPostinstall(checkout)).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(readdirSync(checkout)).toEqual([]);

    if (isRoot) {
      // A user who may run the package but not write its directory.
      const shared = secondUserDir('code-cache-install');
      made.push(shared);
      packageCopy('dist', shared.path);
      chmodSync(shared.path, 0o755);
      const asOther = await runPostinstall(shared.path, asUser(attackerUid));
      expect(asOther).toEqual({ code: 0, stdout: '', stderr: '' });
      expect(readdirSync(join(shared.path, 'dist')).filter((name) => !name.endsWith('.cjs'))).toEqual([]);
    }
  });
});
