/**
 * The packages of other platforms (Bun runtimes, keyring addons) as directories. npm installs only the host's
 * (they declare os/cpu), so the others are fetched with `npm pack` from the registry, checked against the integrity
 * that package-lock.json records for them, and unpacked into node_modules/.cache (kept between builds).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

interface LockedPackage {
  readonly name: string;
  readonly version: string;
  readonly integrity: string;
}

export function lockedPackage(repoRoot: string, name: string): LockedPackage {
  const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string; integrity?: string }>;
  };
  const entry = lock.packages[`node_modules/${name}`];
  if (!entry?.version || !entry.integrity) throw new Error(`${name} is not in package-lock.json`);
  return { name, version: entry.version, integrity: entry.integrity };
}

/** Directories of the packages (their `package/` root), fetching the missing ones in one `npm pack`. */
export function platformPackageDirs(repoRoot: string, names: readonly string[]): Map<string, string> {
  const cacheRoot = join(repoRoot, 'node_modules', '.cache', 'kubectl-together_login-release');
  const dirs = new Map<string, string>();
  const missing: LockedPackage[] = [];
  for (const name of names) {
    const locked = lockedPackage(repoRoot, name);
    const installed = join(repoRoot, 'node_modules', name);
    if (installedVersion(installed) === locked.version) dirs.set(name, installed);
    else {
      const cached = join(cacheRoot, `${name.replace('/', '+')}@${locked.version}`);
      dirs.set(name, cached);
      if (!existsSync(join(cached, 'package.json'))) missing.push(locked);
    }
  }
  if (missing.length === 0) return dirs;

  mkdirSync(cacheRoot, { recursive: true });
  const download = mkdtempSync(join(cacheRoot, 'download-'));
  try {
    console.log(`release: fetching ${missing.map((p) => `${p.name}@${p.version}`).join(', ')}`);
    const packed = JSON.parse(
      execFileSync(
        'npm',
        [
          'pack',
          '--json',
          '--silent',
          '--pack-destination',
          download,
          ...missing.map((p) => `${p.name}@${p.version}`),
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 },
      ),
    ) as { name: string; filename: string }[];
    for (const locked of missing) {
      const tarball = packed.find((p) => p.name === locked.name);
      if (!tarball) throw new Error(`npm pack did not fetch ${locked.name}`);
      const path = join(download, tarball.filename);
      const [algorithm, expected] = locked.integrity.split(/-(.*)/s) as [string, string];
      const actual = createHash(algorithm).update(readFileSync(path)).digest('base64');
      if (actual !== expected)
        throw new Error(`${locked.name}@${locked.version}: integrity does not match package-lock.json`);
      const unpacked = join(download, locked.name.replace('/', '+'));
      mkdirSync(unpacked);
      execFileSync('tar', ['-xzf', path, '-C', unpacked]);
      renameSync(join(unpacked, 'package'), dirs.get(locked.name) as string);
    }
  } finally {
    rmSync(download, { recursive: true, force: true });
  }
  return dirs;
}

function installedVersion(dir: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return undefined;
  }
}
