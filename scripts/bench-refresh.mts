/**
 * npm run bench:refresh: the refresh path (expired token, valid refresh token → one refresh at the provider) as a
 * ratio against bare `node -e 0` in the same run, against the embedded provider on loopback. Counts the provider
 * requests each refresh makes. NODE_EXTRA_CA_CERTS is unset for both sides.
 */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { browserDriverPath, buildRigExecutables, pluginBin } from '../test/rig/build.js';
import { publicClientId, startProvider } from '../test/rig/provider.js';

const runs = Number(process.env.BENCH_RUNS ?? 40);
await buildRigExecutables();
const provider = await startProvider();
const cacheDir = join(mkdtempSync(join(tmpdir(), 'bench-refresh-')), 'oidc-login');
const env: NodeJS.ProcessEnv = {
  ...process.env,
  KUBERNETES_EXEC_INFO:
    '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":false}}',
};
delete env.NODE_EXTRA_CA_CERTS;
delete env.NODE_OPTIONS;
const base = [
  'get-token',
  `--oidc-issuer-url=${provider.issuer}`,
  `--oidc-client-id=${publicClientId}`,
  `--token-cache-dir=${cacheDir}`,
];

// The provider runs in this process: spawn asynchronously so it can answer.
const { execFile } = await import('node:child_process');
const run = (args: string[]) =>
  new Promise<number>((resolve, reject) => {
    const start = process.hrtime.bigint();
    execFile(args[0] as string, args.slice(1), { env }, (error) =>
      error ? reject(error) : resolve(Number(process.hrtime.bigint() - start) / 1e6),
    );
  });

await run([pluginBin, ...base, `--browser-command=${browserDriverPath}`]);
const bare: number[] = [];
const refresh: number[] = [];
let requests = 0;
for (let i = 0; i < runs; i++) {
  bare.push(await run([process.execPath, '-e', '0']));
  provider.resetCounts();
  refresh.push(await run([pluginBin, ...base, '--force-refresh']));
  requests += provider.totalRequests();
}
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
console.log(`runs: ${runs} of each, interleaved; NODE_EXTRA_CA_CERTS unset; node ${process.version}`);
console.log(`bare node -e 0           median ${median(bare).toFixed(1)} ms   ratio 1.000`);
console.log(
  `refresh (--force-refresh) median ${median(refresh).toFixed(1)} ms   ratio ${(median(refresh) / median(bare)).toFixed(3)}`,
);
console.log(`provider requests per refresh: ${(requests / runs).toFixed(1)}`);
await provider.close();
