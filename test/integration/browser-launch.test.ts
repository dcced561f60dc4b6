/**
 * How the built plugin starts a browser, against the real provider: a quoted --browser-command with spaces in its
 * path, a browser that cannot be started (the URL stays printed, the login keeps waiting, stderr says so), and a
 * system opener that fails (xdg-open finding no browser: exit code 3), and a hostile provider whose URLs are
 * browser switches or not http(s) at all: the command never runs with them. Without a display no opener is tried.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { browserDriverPath } from '../rig/build.js';
import { expectOneError } from '../rig/one-error.js';
import { getTokenArgs, parseCredential, runCommand, startPlugin, tempDir } from '../rig/plugin.js';
import type { RigFault } from '../rig/provider.js';
import { useRigProvider } from '../rig/use-provider.js';

describe('starting the browser', () => {
  const provider = useRigProvider();
  let root: string;
  let cacheDir: string;
  const args = (extra: readonly string[]) =>
    getTokenArgs(provider.issuer, {
      cacheDir,
      // A failing test leaves no plugin waiting for long.
      extra: ['--grant-type=authcode', '--authentication-timeout-sec=30', ...extra],
    });
  const urlIn = (stderr: string) =>
    /Open this URL in your browser to log in:\n {2}(\S+)/.exec(stderr)?.[1] ?? '';

  beforeAll(async () => {
    root = tempDir('browser-launch');
  });
  afterAll(async () => {
    rmSync(root, { recursive: true, force: true });
  });
  beforeEach(() => {
    cacheDir = join(tempDir('cache'), 'oidc-login');
  });

  it('runs a quoted --browser-command whose path has spaces, with its own arguments before the URL', async () => {
    const dir = join(root, 'my tools');
    mkdirSync(dir, { recursive: true });
    const argsLog = join(root, 'args.log');
    const browser = join(dir, 'my browser');
    writeFileSync(
      browser,
      `#!/bin/sh\nprintf '%s\\n' "$@" > '${argsLog}'\nfor last; do :; done\nexec '${browserDriverPath}' "$last"\n`,
    );
    chmodSync(browser, 0o755);
    const plugin = startPlugin(args([`--browser-command="${browser}" --new-window`]));
    const result = await plugin.result;
    expect(result.code, result.stderr).toBe(0);
    expect(parseCredential(result.stdout).token).not.toBe('');
    expect(readFileSync(argsLog, 'utf8')).toBe(`--new-window\n${urlIn(result.stderr)}\n`);
    expect(result.stderr).not.toContain('no browser could be opened');
  });

  it('a --browser-command that cannot be started: says so, and the login still completes from the printed URL', async () => {
    const plugin = startPlugin(args([`--browser-command=${join(root, 'no such browser')}`]));
    await plugin.waitForStderr(/warning: no browser could be opened \(--browser-command .*ENOENT.*\)/);
    const url = urlIn((await plugin.waitForStderr(/Open this URL[^\n]*\n {2}\S+\n/))[0]);
    // The user opens the printed URL themselves.
    const browser = await runCommand(browserDriverPath, [url]);
    expect(browser.code, browser.stderr).toBe(0);
    const result = await plugin.result;
    expect(result.code, result.stderr).toBe(0);
    expect(parseCredential(result.stdout).token).not.toBe('');
  });

  it('the system opener failing (xdg-open on a desktop without its opener): says so and keeps waiting', async () => {
    // A display is set, so the plugin tries the opener (without one it tries none); xdg-open on a
    // KDE desktop calls kde-open5, which this machine lacks: it exits 4.
    const plugin = startPlugin(args([]), {
      DISPLAY: ':99',
      XDG_CURRENT_DESKTOP: 'KDE',
      KDE_SESSION_VERSION: '5',
    });
    const warning = await plugin.waitForStderr(/warning: no browser could be opened \(([^)]*)\)[^\n]*\n/);
    expect(warning[1]).toMatch(/exited with code [1-9]/);
    const url = urlIn((await plugin.waitForStderr(/Open this URL[^\n]*\n {2}\S+\n/))[0]);
    expect((await runCommand(browserDriverPath, [url])).code).toBe(0);
    expect((await plugin.result).code).toBe(0);
  });
});

describe("a hostile provider's URLs never reach the browser command", () => {
  const provider = useRigProvider();
  let root: string;
  let argsLog: string;
  let browser: string;
  const run = (grant: string) =>
    startPlugin(
      getTokenArgs(provider.issuer, {
        cacheDir: join(tempDir('cache'), 'oidc-login'),
        // A browser command with its own argument: the URL comes after it, as one argument.
        browser: `${browser} --new-window`,
        extra: [`--grant-type=${grant}`, '--skip-qr-code', '--authentication-timeout-sec=30'],
      }),
    ).result;

  beforeAll(() => {
    root = tempDir('hostile-urls');
    argsLog = join(root, 'argv.log');
    // A real browser command that records its arguments, one per line, then lets the form driver open the last.
    browser = join(root, 'record-argv');
    writeFileSync(
      browser,
      `#!/bin/sh\nprintf '%s\\n' "$@" >> '${argsLog}'\nfor last; do :; done\nexec '${browserDriverPath}' "$last"\n`,
    );
    chmodSync(browser, 0o755);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  beforeEach(() => rmSync(argsLog, { force: true }));

  it('the recording browser command sees the one-time start URL, one argument after its own', async () => {
    const result = await run('device-code');
    expect(result.code, result.stderr).toBe(0);
    // The verification URL (with the user code) stays off the command line: the start URL redirects to it.
    expect(readFileSync(argsLog, 'utf8')).toMatch(
      /^--new-window\nhttp:\/\/127\.0\.0\.1:\d+\/login\/[\w-]+\n$/,
    );
  });

  it.each([
    ['verification-uri-complete-switch', 'device-code', 'verification_uri_complete', /starts with "-"/],
    ['verification-uri-file', 'device-code', 'verification_uri', /scheme is file:/],
    ['authorization-endpoint-javascript', 'authcode', 'authorization_endpoint', /scheme is javascript:/],
  ] as [RigFault, string, string, RegExp][])(
    '%s (--grant-type=%s): exit 3 naming %s, the command never runs',
    async (fault, grant, field, why) => {
      provider.setFault(fault);
      const result = await run(grant);
      expect(result.code, result.stderr).toBe(3);
      expectOneError(
        result.stderr,
        new RegExp(`^error: the identity provider's ${field} cannot be opened in a browser: .*${why.source}`),
      );
      expect(result.stdout).toBe('');
      expect(existsSync(argsLog)).toBe(false);
    },
  );
});
