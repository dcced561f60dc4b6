/**
 * `npm run demo` piped into a file, as in a CI log: it completes, says which lines are the plugin run directly and
 * which are kubectl, writes no escape codes, and leaves no temporary directory (it held a valid token).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../rig/build.js';
import { findKubectls } from '../rig/kubectl.js';
import { baseEnvironment } from '../rig/plugin.js';

describe('npm run demo', () => {
  it('off a terminal: labelled steps, no escape codes, nothing left behind', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'demo-'));
    const child = spawn(join(repoRoot, 'node_modules/.bin/tsx'), ['scripts/demo.mts'], {
      cwd: repoRoot,
      env: { ...baseEnvironment(), TMPDIR: tmp, DEMO_HEADLESS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, output).toBe(0);
    expect(output).toContain('▶ [plugin] kubectl-together_login get-token');
    if (findKubectls().length > 0) expect(output).toContain('▶ [kubectl] kubectl auth whoami');
    expect(output).not.toContain(String.fromCharCode(27));
    // oidc-provider's production warnings (one says to use Node 22, while the README says 20.19+) are silenced.
    expect(output).not.toMatch(/oidc-provider (WARNING|NOTICE)|Node.js v22/);
    expect(readdirSync(tmp).filter((name) => name.startsWith('together-login-demo-'))).toEqual([]);
  }, 120_000);
});
