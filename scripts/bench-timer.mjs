// The timing loop of npm run bench (scripts/bench.mts), in a process of its own kept small: spawning a child costs
// the parent a copy of its page tables, so timing from the bench's own process (tsx, the API server, oidc-provider:
// a few hundred MiB) added ~1–2 ms to every run and pulled every ratio towards 1 (docs/performance.md). kubectl
// starts its exec plugin without that cost (Go's os/exec uses vfork).
//
// node scripts/bench-timer.mjs SPEC: SPEC is a JSON file { warmup, runs, variants: [{ command, args, env }] }; prints
// JSON { samples: number[][] }, the wall time of each run in ms, the variants interleaved run after run.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));

function timeOnce({ command, args, env }) {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr}`);
  return elapsed;
}

for (let i = 0; i < spec.warmup; i++) for (const variant of spec.variants) timeOnce(variant);
const samples = spec.variants.map(() => []);
for (let i = 0; i < spec.runs; i++) {
  spec.variants.forEach((variant, j) => {
    samples[j].push(timeOnce(variant));
  });
}
process.stdout.write(JSON.stringify({ samples }));
