/**
 * The standalone executable (no Node.js on the user's machine), in two steps:
 * 1. esbuild bundles the sources into one CommonJS file, with every package the plugin loads at run time inlined,
 *    the keyring addon as `require('./keyring.node')`: the same file serves every Linux and macOS target; Windows
 *    gets one that calls the Credential Manager instead (KeyringAccess);
 * 2. per target, that file and the target's keyring addon go into a directory, and Bun compiles them with the
 *    target's runtime (`--compile-executable-path`): Bun embeds the addon, and cross-compiling downloads nothing.
 * docs/release.md says why each flag is there.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { build, type Plugin } from 'esbuild';
import { buildInfo } from '../build-info.mjs';
import { signAdHoc } from './macho-codesign.mjs';

const addonName = 'keyring.node';

/**
 * How an executable reaches the OS keyring: the @napi-rs/keyring addon embedded beside the code, or, on Windows,
 * the Credential Manager called through Bun's FFI (the addon's Windows build needs VCRUNTIME140.dll, which a clean
 * Windows lacks: src/platform/windows-credentials.ts).
 */
export type KeyringAccess = 'addon' | 'credential-manager';

/**
 * In the Node package, src/platform/native-require.ts resolves packages from node_modules at run time, a path Bun's
 * bundler does not follow. Here the same names become static require() calls that esbuild inlines (each still
 * evaluated only when first asked for), and the keyring becomes the addon file beside the bundle, loaded through
 * loadEmbeddedAddon (when Bun cannot load it from $TMPDIR, a noexec /tmp, from a private copy:
 * src/platform/embedded-addon.ts), or the Credential Manager module.
 */
function inlineNativeRequires(keyring: KeyringAccess): Plugin {
  const keyringModule =
    keyring === 'addon'
      ? {
          imports: "import { loadEmbeddedAddon } from './embedded-addon.ts';",
          load: `loadEmbeddedAddon(() => require('./${addonName}'), 'keyring')`,
        }
      : {
          imports: "import { windowsCredentialKeyring } from './windows-credentials.ts';",
          load: 'windowsCredentialKeyring()',
        };
  return {
    name: 'inline-native-requires',
    setup(b) {
      b.onLoad({ filter: /src[\\/]platform[\\/]native-require\.ts$/ }, (args) => ({
        loader: 'js',
        resolveDir: dirname(args.path),
        contents: `
${keyringModule.imports}
export function requireNative(name) {
  switch (name) {
    case '@napi-rs/keyring': return ${keyringModule.load};
    case 'undici': return require('undici');
    case 'yaml': return require('yaml');
    default: throw new Error('not in the standalone build: ' + name);
  }
}`,
      }));
      b.onResolve({ filter: new RegExp(`^\\./${addonName.replace('.', '\\.')}$`) }, (args) => ({
        path: args.path,
        external: true,
      }));
    },
  };
}

/** Step 1: the bundle of every target that reaches the keyring the same way. */
export async function bundleForStandalone(
  repoRoot: string,
  outfile: string,
  releaseBaseUrl: string | undefined,
  keyring: KeyringAccess,
): Promise<void> {
  await build({
    entryPoints: [join(repoRoot, 'src/main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    legalComments: 'none',
    logLevel: 'warning',
    define: buildInfo('standalone', releaseBaseUrl).defines,
    // Bun's own modules: Bun resolves them when it compiles.
    external: ['bun:*'],
    plugins: [inlineNativeRequires(keyring)],
  });
}

export interface CompileOptions {
  readonly repoRoot: string;
  readonly bundle: string;
  readonly bunTarget: string;
  /** The target's Bun runtime; the host's own runtime when omitted. */
  readonly runtime?: string;
  /** The addon embedded beside the bundle; none for a target that reaches the keyring otherwise. */
  readonly keyringAddon: string | undefined;
  readonly workDir: string;
  readonly outfile: string;
}

/** Step 2: one target's executable. darwin executables leave with a valid ad-hoc signature. */
export async function compileStandalone(options: CompileOptions): Promise<void> {
  mkdirSync(options.workDir, { recursive: true });
  const entry = join(options.workDir, 'kubectl-together_login.cjs');
  copyFileSync(options.bundle, entry);
  if (options.keyringAddon) copyFileSync(options.keyringAddon, join(options.workDir, addonName));
  await promisify(execFile)(
    join(options.repoRoot, 'node_modules', '.bin', 'bun'),
    [
      'build',
      entry,
      '--compile',
      // Precompiled bytecode: without it Bun's cache hit was slower than Node's (FIELD-NOTES, docs/release.md).
      '--bytecode',
      '--minify',
      '--format=cjs',
      `--target=${options.bunTarget}`,
      ...(options.runtime ? [`--compile-executable-path=${options.runtime}`] : []),
      // kubectl runs the plugin in whatever directory the user is in: never load a .env or bunfig.toml from there.
      '--no-compile-autoload-dotenv',
      '--no-compile-autoload-bunfig',
      '--outfile',
      options.outfile,
    ],
    { cwd: options.workDir, maxBuffer: 16 << 20 },
  );
  if (options.bunTarget.startsWith('bun-darwin-')) {
    // Bun signs darwin-arm64 executables ad hoc but leaves darwin-x64 ones with the runtime's own signature, which
    // no longer matches once the program is appended. Signing both here gives both the same, checked form.
    writeFileSync(options.outfile, signAdHoc(readFileSync(options.outfile), 'kubectl-together_login'));
  }
}
