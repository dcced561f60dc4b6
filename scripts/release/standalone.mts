/**
 * The standalone executable (no Node.js on the user's machine), in two steps:
 * 1. esbuild bundles the sources into CommonJS files split as the Node package's are (scripts/bundle-split.mjs): the
 *    entry holds the cache hit only; the login machinery with the CLI, and the non-disk stores, are bundles the entry
 *    require()s when it needs them. Every package the plugin loads at run time is inlined, the keyring addon is
 *    `require('./keyring.node')`: the same files serve every Linux and macOS target; Windows gets ones that call the
 *    Credential Manager instead (KeyringAccess);
 * 2. per target, those files and the target's keyring addon go into a directory, and Bun compiles the entry with the
 *    target's runtime (`--compile-executable-path`): Bun embeds the other bundles and the addon, each evaluated only
 *    when first required, and cross-compiling downloads nothing.
 * docs/release.md says why each flag is there; docs/performance.md what the split and the Bun-specific parts save.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { type BuildOptions, build, type Plugin } from 'esbuild';
import { buildInfo } from '../build-info.mjs';
import { loadBundlesAtRunTime, splitBundles } from '../bundle-split.mjs';
import { signAdHoc } from './macho-codesign.mjs';

const addonName = 'keyring.node';
/** The entry bundle's name in the directory Bun compiles. */
export const standaloneEntry = 'kubectl-together_login.cjs';

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

/**
 * The cache key's SHA-256 by Bun's native hasher. src/core/sha256.ts computes it in JavaScript because loading
 * node:crypto costs Node ~5 ms; in Bun that JavaScript is what costs: JavaScriptCore compiles its loops on JIT
 * threads, ~10 M instructions and ~8 MiB per call (docs/performance.md), where Bun.SHA256 is native and loaded with the
 * runtime. The same digest of the same UTF-8 bytes, so entries are shared with the Node package.
 */
const nativeSha256: Plugin = {
  name: 'native-sha256',
  setup(b) {
    b.onLoad({ filter: /src[\\/]core[\\/]sha256\.ts$/ }, () => ({
      loader: 'js',
      contents: "export const sha256Hex = (text) => Bun.SHA256.hash(text, 'hex');",
    }));
  },
};

/** The sources that went into each bundle (paths relative to the repository), for test/integration/bundle-split.test.ts. */
export type BundleSources = Record<string, string[]>;

/** Step 1: the bundles of every target that reaches the keyring the same way, written into outDir. */
export async function bundleForStandalone(
  repoRoot: string,
  outDir: string,
  releaseBaseUrl: string | undefined,
  keyring: KeyringAccess,
): Promise<BundleSources> {
  const common: BuildOptions = {
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
    absWorkingDir: repoRoot,
    define: buildInfo('standalone', releaseBaseUrl).defines,
    // Bun's own modules: Bun resolves them when it compiles.
    external: ['bun:*'],
    plugins: [loadBundlesAtRunTime, inlineNativeRequires(keyring), nativeSha256],
  };
  const bundles = [{ bundle: standaloneEntry, entry: 'src/main.ts' }, ...splitBundles];
  const results = await Promise.all(
    bundles.map(({ bundle, entry }) =>
      build({
        ...common,
        entryPoints: [entry],
        outfile: join(outDir, bundle),
        // The entry runs with the JIT held back (--compile-jit-policy below); what loads another bundle (a login,
        // the other commands) does more than a cache hit, and gets JavaScriptCore's normal JIT back.
        ...(bundle === standaloneEntry ? {} : { banner: { js: 'Bun.unsafe.setJITPolicy(1);' } }),
      }),
    ),
  );
  return Object.fromEntries(
    bundles.map(({ bundle }, i) => [bundle, Object.keys(results[i]?.metafile?.inputs ?? {})]),
  );
}

/** The flags of `bun build` for every executable, whatever its target; npm run bench compiles its floors with them. */
export const compileFlags = [
  '--compile',
  // Precompiled bytecode: without it Bun's cache hit was slower than Node's (FIELD-NOTES, docs/release.md).
  '--bytecode',
  '--minify',
  '--format=cjs',
  // A cache hit runs its code once: compiling it on JIT threads cost more than interpreting it (two threads,
  // ~0.6 M instructions and ~1 MiB; docs/performance.md). The other bundles set the normal policy back.
  '--compile-jit-policy=1000',
  // kubectl runs the plugin in whatever directory the user is in: never load a .env or bunfig.toml from there.
  '--no-compile-autoload-dotenv',
  '--no-compile-autoload-bunfig',
];

export interface CompileOptions {
  readonly repoRoot: string;
  /** The directory bundleForStandalone wrote. */
  readonly bundleDir: string;
  readonly bunTarget: string;
  /** The target's Bun runtime; the host's own runtime when omitted. */
  readonly runtime?: string;
  /** The addon embedded beside the bundle; none for a target that reaches the keyring otherwise. */
  readonly keyringAddon: string | undefined;
  readonly workDir: string;
  readonly outfile: string;
  /** The functions a cache hit loads, recorded by ./bytecode-order.mts: Bun stores them together at the front. */
  readonly bytecodeOrder?: string;
}

/** Step 2: one target's executable. darwin executables leave with a valid ad-hoc signature. */
export async function compileStandalone(options: CompileOptions): Promise<void> {
  mkdirSync(options.workDir, { recursive: true });
  for (const bundle of [standaloneEntry, ...splitBundles.map((b) => b.bundle)])
    copyFileSync(join(options.bundleDir, bundle), join(options.workDir, bundle));
  if (options.keyringAddon) copyFileSync(options.keyringAddon, join(options.workDir, addonName));
  await promisify(execFile)(
    join(options.repoRoot, 'node_modules', '.bin', 'bun'),
    [
      'build',
      join(options.workDir, standaloneEntry),
      ...compileFlags,
      `--target=${options.bunTarget}`,
      ...(options.bytecodeOrder ? [`--bytecode-order=${options.bytecodeOrder}`] : []),
      ...(options.runtime ? [`--compile-executable-path=${options.runtime}`] : []),
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
