/**
 * Builds the rig's executables (the browser driver) into .test-out/, for tests and the demo.
 * The driver is a separate process because the plugin runs --browser-command as a program.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const rigOutDir = join(repoRoot, '.test-out');
export const browserDriverPath = join(rigOutDir, 'browser-driver');
/** A --browser-command that drives Debian's Chromium through playwright-core. */
export const chromiumDriverPath = join(rigOutDir, 'chromium-driver');
/** The command as npm installs it (package.json "bin"): the loader of the entry bundle (src/loader.ts). */
export const nodePluginBin = join(repoRoot, 'dist', 'kubectl-together_login.cjs');
/**
 * The plugin under test, chosen here and nowhere else: the Node package's entry bundle, or, with
 * PLUGIN_UNDER_TEST=<path>, that standalone executable (.ci/run passes the linux_amd64 one out of its release zip).
 */
export const pluginBin = process.env.PLUGIN_UNDER_TEST
  ? resolve(process.env.PLUGIN_UNDER_TEST)
  : nodePluginBin;
/** The launcher for running from a checkout. */
export const checkoutLauncher = join(repoRoot, 'bin', 'kubectl-together_login');

export async function buildRigExecutables(): Promise<void> {
  mkdirSync(rigOutDir, { recursive: true });
  await Promise.all([
    buildExecutable('browser-driver', browserDriverPath),
    buildExecutable('chromium-driver', chromiumDriverPath),
  ]);
}

async function buildExecutable(name: string, path: string): Promise<void> {
  await build({
    entryPoints: [join(repoRoot, `test/rig/${name}.ts`)],
    outfile: `${path}.cjs`,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // playwright-core finds its own files at run time; it is loaded from node_modules.
    external: ['playwright-core'],
    logLevel: 'warning',
  });
  writeNodeLauncher(path, `${path}.cjs`);
}

/** The executable a --browser-command names: a shell script running the driver's bundle with this Node. */
export function writeNodeLauncher(path: string, bundle: string): void {
  // RIG_DRIVER_CA: a CA the browser (and only the browser, not the plugin that runs it) trusts.
  writeFileSync(
    path,
    `#!/bin/sh\n[ -n "$RIG_DRIVER_CA" ] && export NODE_EXTRA_CA_CERTS="$RIG_DRIVER_CA"\nexec "${process.execPath}" "${bundle}" "$@"\n`,
  );
  chmodSync(path, 0o755);
}

export async function buildPlugin(): Promise<void> {
  const { execFileSync } = await import('node:child_process');
  execFileSync(process.execPath, [join(repoRoot, 'scripts/build.mjs')], { cwd: repoRoot, stdio: 'inherit' });
}
