/**
 * npm run bench: the cost of a get-token cache hit (what kubectl pays on every command) as a ratio against a bare
 * `node -e 0` measured in the same run, interleaved, median of many runs. NODE_EXTRA_CA_CERTS is unset for both:
 * Node 20 parses that bundle at every start, which alone can triple start-up (see docs/performance.md).
 *
 * The cache entry is written here with the plugin's own key code, so the hit takes the real path: parse flags,
 * compute the key, read one file, check expiry, print.
 *
 * The standalone executable (the release build) runs beside the Node bundle when there is one: BENCH_STANDALONE, or
 * the linux_amd64 zip of release/ (`npm run release -- --only=linux_amd64`). Then `kubectl get --raw /version`
 * against the rig's HTTPS API server is timed three ways: with a static token, through the Node bundle, and through
 * the standalone executable (both cache hits whose token the server accepts as that static token).
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cacheKeyFields } from '../src/app/get-token.js';
import { entryFormat } from '../src/cache/entry.js';
import { cacheEntryFileName, cacheKey, exchangeCacheKey } from '../src/cache/key.js';
import { parseGetTokenInput } from '../src/flags/parse-get-token.js';
import { startApiServer } from '../test/rig/api-server.js';
import { findKubectls, writeKubeconfig } from '../test/rig/kubectl.js';

const runs = Number(process.env.BENCH_RUNS ?? 200);
// The command as npm installs it: the entry bundle, run through its `#!/usr/bin/env node` line like kubectl does.
const bin = join(import.meta.dirname, '..', 'dist', 'kubectl-together_login.cjs');
const benchDir = mkdtempSync(join(tmpdir(), 'bench-'));
const cacheDir = join(benchDir, 'oidc-login');
const args = [
  'get-token',
  '--oidc-issuer-url=https://idp.example.com',
  '--oidc-client-id=kubernetes',
  '--oidc-extra-scope=email,groups',
  `--token-cache-dir=${cacheDir}`,
];

// A realistic entry: tokens of typical size, valid for an hour.
const input = parseGetTokenInput(args.slice(1), { env: {}, homeDir: tmpdir() });
const now = Date.now();
const fakeJwt = (size: number) => `eyJhbGciOiJSUzI1NiJ9.${'x'.repeat(size)}.${'s'.repeat(342)}`;
// The API server takes its admin token: the ID token, padded to a typical size (the server compares strings).
const api = await startApiServer({ issuer: 'https://idp.example.com', audience: 'kubernetes' });
mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
const key = cacheKey(cacheKeyFields(input, undefined));
writeFileSync(
  join(cacheDir, cacheEntryFileName(key)),
  JSON.stringify({
    format: entryFormat,
    issuer: input.issuerUrl,
    clientId: input.clientId,
    key,
    obtainedAt: now,
    idToken: api.adminToken,
    idTokenExpiresAt: now + 3_600_000,
    accessToken: fakeJwt(500),
    accessTokenExpiresAt: now + 3_600_000,
    refreshToken: 'r'.repeat(64),
  }),
  { mode: 0o600 },
);

// The hit of a token exchanged for a cluster's audience (issue 27): its own entry beside the login's, read alone.
const exchangeArgs = [...args, '--token-exchange-audience=cluster-a'];
const exchangeKey = exchangeCacheKey(key, { audience: 'cluster-a', requestedTokenType: 'id-token' });
writeFileSync(
  join(cacheDir, cacheEntryFileName(exchangeKey)),
  JSON.stringify({
    format: entryFormat,
    issuer: input.issuerUrl,
    clientId: input.clientId,
    key: exchangeKey,
    loginKey: key,
    audience: 'cluster-a',
    obtainedAt: now,
    idToken: fakeJwt(800),
    idTokenExpiresAt: now + 3_600_000,
  }),
  { mode: 0o600 },
);

const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;
delete env.NODE_OPTIONS;
env.KUBERNETES_EXEC_INFO =
  '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":false}}';

function timeOnce(command: string, commandArgs: string[], extraEnv: NodeJS.ProcessEnv = {}): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, commandArgs, {
    env: { ...env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr}`);
  return elapsed;
}

function peakRssKb(command: string, commandArgs: string[]): number | undefined {
  const result = spawnSync('/usr/bin/time', ['-f', '%M', command, ...commandArgs], { env, encoding: 'utf8' });
  if (result.status !== 0) return undefined;
  return Number(result.stderr.trim().split('\n').pop());
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

// Check the hit really is a hit (stdout is a credential, stderr empty) before timing it.
const check = spawnSync(bin, args, { env, encoding: 'utf8' });
if (check.status !== 0 || check.stderr !== '' || !check.stdout.includes('"ExecCredential"')) {
  throw new Error(`the benchmark cache entry was not a hit: ${check.stderr}`);
}

// The floor of any plugin written for Node: an empty script, started the way kubectl starts ours.
const emptyScript = join(dirname(cacheDir), 'empty.cjs');
writeFileSync(emptyScript, '#!/usr/bin/env node\n', { mode: 0o755 });

const standalone = findStandalone();
// What NODE_EXTRA_CA_CERTS costs each build, with the system bundle as this machine sets it.
const systemBundle = '/etc/ssl/certs/ca-certificates.crt';
const extraCa = existsSync(systemBundle) ? { NODE_EXTRA_CA_CERTS: systemBundle } : undefined;
const variants: { name: string; command: string; args: string[]; env?: NodeJS.ProcessEnv }[] = [
  { name: 'bare node -e 0', command: process.execPath, args: ['-e', '0'] },
  { name: 'floor: empty script via shebang', command: emptyScript, args: [] },
  { name: 'cache hit, installed command', command: bin, args },
  { name: 'cache hit, node <entry bundle>', command: process.execPath, args: [bin, ...args] },
  { name: 'cache hit, exchanged token', command: bin, args: exchangeArgs },
  ...(standalone ? [{ name: 'cache hit, standalone executable', command: standalone, args }] : []),
  ...(extraCa
    ? [{ name: 'cache hit, installed, NODE_EXTRA_CA_CERTS', command: bin, args, env: extraCa }]
    : []),
  ...(extraCa && standalone
    ? [{ name: 'cache hit, standalone, NODE_EXTRA_CA_CERTS', command: standalone, args, env: extraCa }]
    : []),
];
const samples = variants.map(() => [] as number[]);
for (let i = 0; i < 5; i++) for (const v of variants) timeOnce(v.command, v.args, v.env);
for (let i = 0; i < runs; i++) {
  variants.forEach((v, j) => {
    samples[j]?.push(timeOnce(v.command, v.args, v.env));
  });
}
const medians = samples.map(median);

/** One line per budget: the measured ratio, the budget, and whether it is kept (bench figures are judged, not just shown). */
function verdict(what: string, ratio: number | undefined, budget: number, against: string): void {
  if (ratio === undefined) {
    console.log(`budget: ${what} <= ${budget} x ${against}: not measured`);
    return;
  }
  const kept = ratio <= budget ? 'PASS' : 'OVER BUDGET';
  console.log(`budget: ${what} ${ratio.toFixed(3)} x ${against} (budget ${budget}): ${kept}`);
}
const bareMs = medians[0] as number;

console.log(
  `runs: ${runs} of each, interleaved; NODE_EXTRA_CA_CERTS unset unless named; node ${process.version}`,
);
variants.forEach((v, j) => {
  const ms = medians[j] as number;
  console.log(
    `${v.name.padEnd(44)} median ${ms.toFixed(1).padStart(5)} ms   ratio ${(ms / bareMs).toFixed(3)}`,
  );
});
const ratioOf = (name: string) => {
  const j = variants.findIndex((v) => v.name === name);
  return j < 0 ? undefined : (medians[j] as number) / bareMs;
};
verdict('cache hit, installed command', ratioOf('cache hit, installed command'), 1.15, 'bare node');
verdict('cache hit, exchanged token', ratioOf('cache hit, exchanged token'), 1.15, 'bare node');
verdict('cache hit, standalone executable', ratioOf('cache hit, standalone executable'), 0.6, 'bare node');
if (!standalone) {
  console.log(
    'no standalone executable: run `npm run release -- --only=linux_amd64` (or set BENCH_STANDALONE)',
  );
}
const rss = variants.map((v) => peakRssKb(v.command, v.args));
if (rss.every((kb) => kb !== undefined)) {
  console.log(
    `peak RSS: ${variants.map((v, j) => `${v.name} ${((rss[j] as number) / 1024).toFixed(1)} MiB`).join(', ')}`,
  );
}

await benchKubectl();
await api.close();

/** The standalone executable: BENCH_STANDALONE, or the one in release/'s linux_amd64 zip (unzipped here). */
function findStandalone(): string | undefined {
  if (process.env.BENCH_STANDALONE) return process.env.BENCH_STANDALONE;
  const zip = join(import.meta.dirname, '..', 'release', 'kubectl-together_login_linux_amd64.zip');
  if (!existsSync(zip)) return undefined;
  spawnSync('unzip', ['-q', zip, 'kubectl-together_login', '-d', benchDir], { stdio: 'inherit' });
  return join(benchDir, 'kubectl-together_login');
}

/**
 * `kubectl get --raw /version` with a static token, and through each build of the plugin answering from its
 * cache. The API server runs in this process, so kubectl is run asynchronously (a synchronous spawn would block
 * the server); the runs are interleaved and their medians compared.
 */
async function benchKubectl(): Promise<void> {
  const kubectl = findKubectls().at(-1);
  if (!kubectl) {
    console.log('no kubectl found: kubectl timings skipped');
    return;
  }
  const staticConfig = join(benchDir, 'static.kubeconfig');
  writeFileSync(
    staticConfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'rig',
          cluster: {
            server: api.url,
            'certificate-authority-data': Buffer.from(api.caPem).toString('base64'),
          },
        },
      ],
      users: [{ name: 'admin', user: { token: api.adminToken } }],
      contexts: [{ name: 'rig', context: { cluster: 'rig', user: 'admin' } }],
      'current-context': 'rig',
    }),
  );
  const pluginConfig = (name: string, command: string) => {
    const path = join(benchDir, `${name}.kubeconfig`);
    writeKubeconfig({
      path,
      serverUrl: api.url,
      caPem: api.caPem,
      pluginCommand: command,
      pluginArgs: args.slice(1),
      interactiveMode: 'Never',
    });
    return path;
  };
  const kubectlVariants = [
    { name: 'kubectl, static token', config: staticConfig },
    { name: 'kubectl + Node bundle', config: pluginConfig('node', bin) },
    ...(standalone ? [{ name: 'kubectl + standalone', config: pluginConfig('standalone', standalone) }] : []),
  ];
  const kubectlEnv = { ...env };
  delete kubectlEnv.KUBERNETES_EXEC_INFO;
  const timeKubectl = (config: string) =>
    new Promise<number>((resolve, reject) => {
      const start = process.hrtime.bigint();
      execFile(
        kubectl.path,
        ['--kubeconfig', config, 'get', '--raw', '/version'],
        { env: kubectlEnv },
        (error, _out, stderr) =>
          error
            ? reject(new Error(`kubectl failed: ${stderr}`))
            : resolve(Number(process.hrtime.bigint() - start) / 1e6),
      );
    });
  const kubectlRuns = Number(process.env.BENCH_KUBECTL_RUNS ?? 60);
  const times = kubectlVariants.map(() => [] as number[]);
  for (let i = 0; i < 3; i++) for (const v of kubectlVariants) await timeKubectl(v.config);
  for (let i = 0; i < kubectlRuns; i++) {
    for (const [j, v] of kubectlVariants.entries()) times[j]?.push(await timeKubectl(v.config));
  }
  const staticMs = median(times[0] as number[]);
  console.log(`\nkubectl ${kubectl.version} get --raw /version, ${kubectlRuns} runs of each, interleaved:`);
  for (const [j, v] of kubectlVariants.entries()) {
    const ms = median(times[j] as number[]);
    console.log(
      `${v.name.padEnd(44)} median ${ms.toFixed(1).padStart(5)} ms   ratio ${(ms / staticMs).toFixed(3)}`,
    );
  }
  const standaloneKubectl = kubectlVariants.findIndex((v) => v.name.includes('standalone'));
  verdict(
    'kubectl through the standalone executable',
    standaloneKubectl < 0 ? undefined : median(times[standaloneKubectl] as number[]) / staticMs,
    1.35,
    'kubectl with a static token',
  );
}
