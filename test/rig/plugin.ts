/** Runs the built plugin as kubectl would: a separate process, stdout and stderr captured, optional env. */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { browserDriverPath, pluginBin } from './build.js';

export interface PluginResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runPlugin(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<PluginResult> {
  return new Promise((resolve) => {
    // Async on purpose: the provider runs in this process and must keep answering while the plugin waits.
    execFile(
      pluginBin,
      [...args],
      { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `${prefix}-`));
}

/** The usual flags: the rig's public client, the HTTP form driver as browser, a private cache directory. */
export function loginArgs(
  issuer: string,
  clientId: string,
  cacheDir: string,
  extra: readonly string[] = [],
): string[] {
  return [
    'get-token',
    `--oidc-issuer-url=${issuer}`,
    `--oidc-client-id=${clientId}`,
    `--browser-command=${browserDriverPath}`,
    `--token-cache-dir=${cacheDir}`,
    ...extra,
  ];
}

export function parseCredential(stdout: string): {
  apiVersion: string;
  token: string;
  expirationTimestamp: string;
} {
  const doc = JSON.parse(stdout) as {
    apiVersion: string;
    status: { token: string; expirationTimestamp: string };
  };
  return {
    apiVersion: doc.apiVersion,
    token: doc.status.token,
    expirationTimestamp: doc.status.expirationTimestamp,
  };
}
