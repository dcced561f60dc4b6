/** Runs the built plugin as kubectl would: a separate process, stdout and stderr captured, optional env. */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { browserDriverPath, pluginBin } from './build.js';
import { publicClientId, rigPassword } from './provider.js';

export interface PluginResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runPlugin(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<PluginResult> {
  return runCommand(pluginBin, args, env);
}

/** Runs a command (the plugin, kubectl, sh) with PATH and HOME of the test unless `env` sets them. */
export function runCommand(
  command: string,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<PluginResult> {
  return new Promise((resolve) => {
    // Async on purpose: the provider runs in this process and must keep answering while the plugin waits.
    execFile(
      command,
      [...args],
      { env: { ...baseEnvironment(), ...env }, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/**
 * What every process the rig starts gets from the test's environment: PATH, HOME, and TMPDIR (the run's private
 * temporary directory, removed after the run), nothing else, so the machine's settings do not leak into a test.
 */
export function baseEnvironment(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? tmpdir(),
    ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
  };
}

/** KUBERNETES_EXEC_INFO of a kubectl that gives the plugin no terminal (`interactiveMode: Never`). */
export const neverInteractive = JSON.stringify({
  apiVersion: 'client.authentication.k8s.io/v1',
  kind: 'ExecCredential',
  spec: { interactive: false },
});

/** KUBERNETES_EXEC_INFO of kubectl with provideClusterInfo: true, for a cluster whose extension holds `config`. */
export function execInfoWithCluster(config: Record<string, unknown>): string {
  return JSON.stringify({
    apiVersion: 'client.authentication.k8s.io/v1',
    kind: 'ExecCredential',
    spec: { interactive: false, cluster: { server: 'https://k8s.example.com', config } },
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `${prefix}-`));
}

/** What a test says about a get-token run; every flag it does not name is left to the plugin's default. */
export interface GetTokenArgs {
  /** The client at the rig's provider (default: its public client). */
  readonly clientId?: string;
  /** A private cache directory (default: none, the plugin's own under HOME). */
  readonly cacheDir?: string;
  /** A browser command (default: none, so the flow's own choice holds: a test that plays the user gives none). */
  readonly browser?: string;
  /** Flags after these: the grant, timeouts, -v, the flag the test is about. */
  readonly extra?: readonly string[];
}

/** The flags of get-token after the command name, as a kubeconfig's exec args or kubectl's plugin args carry them. */
export function getTokenFlags(issuer: string, options: GetTokenArgs = {}): string[] {
  return [
    `--oidc-issuer-url=${issuer}`,
    `--oidc-client-id=${options.clientId ?? publicClientId}`,
    ...(options.browser === undefined ? [] : [`--browser-command=${options.browser}`]),
    ...(options.cacheDir === undefined ? [] : [`--token-cache-dir=${options.cacheDir}`]),
    ...(options.extra ?? []),
  ];
}

/** The argv of the plugin's get-token: the one builder every test's get-token run goes through. */
export function getTokenArgs(issuer: string, options: GetTokenArgs = {}): string[] {
  return ['get-token', ...getTokenFlags(issuer, options)];
}

/** The usual flags: the rig's public client, the HTTP form driver as browser, a private cache directory. */
export function loginArgs(
  issuer: string,
  clientId: string,
  cacheDir: string,
  extra: readonly string[] = [],
): string[] {
  return getTokenArgs(issuer, { clientId, cacheDir, browser: browserDriverPath, extra });
}

/** get-token with the password grant of alice at the rig's public client: a login that needs no browser. */
export function passwordLoginArgs(issuer: string, extra: readonly string[] = []): string[] {
  return getTokenArgs(issuer, {
    extra: ['--grant-type=password', '--username=alice', `--password=${rigPassword}`, ...extra],
  });
}

/** `setup` with the rig's public client, email and groups scopes, the HTTP form driver, an untouched cache. */
export function runSetup(
  issuer: string,
  extra: readonly string[] = [],
  env: Readonly<Record<string, string>> = {},
): Promise<PluginResult> {
  return runPlugin(
    [
      'setup',
      `--oidc-issuer-url=${issuer}`,
      `--oidc-client-id=${publicClientId}`,
      '--oidc-extra-scope=email,groups',
      `--browser-command=${browserDriverPath}`,
      `--token-cache-dir=${join(tempDir('cache'), 'untouched')}`,
      ...extra,
    ],
    env,
  );
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

export interface LivePlugin {
  /** Resolves with the first match of the pattern in stderr so far or to come. */
  waitForStderr(pattern: RegExp): Promise<RegExpMatchArray>;
  writeStdin(text: string): void;
  /** Ends the process (SIGKILL unless told), for tests that kill it on purpose or fail while it still waits. */
  kill(signal?: NodeJS.Signals): void;
  readonly result: Promise<PluginResult>;
  /** The process id (undefined when it could not be started). */
  readonly pid: number | undefined;
}

/** The plugin as a running process, for flows where the test plays the user (device code, pasted codes). */
export function startPlugin(args: readonly string[], env: Readonly<Record<string, string>> = {}): LivePlugin {
  return startProcess(pluginBin, args, env);
}

/** Any command (the plugin, kubectl running the plugin) as a running process whose stderr the test watches. */
export function startProcess(
  command: string,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): LivePlugin {
  const child = spawn(command, [...args], {
    env: { ...baseEnvironment(), ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { pattern: RegExp; resolve: (match: RegExpMatchArray) => void }[] = [];
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
    for (const waiter of [...waiters]) {
      const match = stderr.match(waiter.pattern);
      if (match) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(match);
      }
    }
  });
  const result = new Promise<PluginResult>((resolve) => {
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
  return {
    waitForStderr: (pattern) => {
      const match = stderr.match(pattern);
      if (match) return Promise.resolve(match);
      return new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve });
        result.then(() => reject(new Error(`the plugin ended before printing ${pattern}: ${stderr}`)));
      });
    },
    writeStdin: (text) => {
      child.stdin.write(text);
    },
    kill: (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    result,
    pid: child.pid,
  };
}
