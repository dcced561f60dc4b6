// Bundles src/main.ts into one CommonJS file. CJS because it measured faster to load than an ESM entry on Node 20
// (see docs/performance.md); heavy modules stay in the same file but are only evaluated when imported.
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

await build({
  entryPoints: ['src/main.ts'],
  outfile: 'dist/kubectl-together_login.cjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // `open` ships its own xdg-open script, which bundling would lose.
  external: ['open'],
  define: { __PACKAGE_VERSION__: JSON.stringify(pkg.version) },
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: 'none',
  sourcemap: 'linked',
  logLevel: 'warning',
});
