/**
 * What a user reads in --help, as the built plugin prints it: one style for every command (option texts start with
 * a capital, nothing wider than 80 columns off a terminal), setup's flags in groups with the required ones first
 * and how to start, no doubled defaults, every accepted flag listed, and a "did you mean" for a mistyped flag.
 */
import { describe, expect, it } from 'vitest';
import { expectOneError } from '../rig/one-error.js';
import { runPlugin } from '../rig/plugin.js';

const commands = ['get-token', 'setup', 'status', 'clean', 'convert-kubeconfig', 'version'] as const;

async function helpOf(command: string): Promise<string> {
  const result = await runPlugin([command, '--help']);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

describe('--help', () => {
  it.each(commands)('%s: fits 80 columns, and every option text starts with a capital', async (command) => {
    const help = await helpOf(command);
    expect(help.split('\n').filter((line) => line.length > 80)).toEqual([]);
    // An option's text: after the flag on its line, or on the line below it (indented by 6).
    const texts = help.split('\n').flatMap((line, index, lines) => {
      const beside = /^ {2}(?:-\w, )?--[\w-]+(?: <\w+>| \[\w+\])? {2,}(\S.*)$/.exec(line)?.[1];
      if (beside) return [beside];
      const below = /^ {2}(?:-\w, )?--[\w-]+(?: <\w+>| \[\w+\])?$/.test(line) ? lines[index + 1] : undefined;
      return below ? [below.trim()] : [];
    });
    expect(texts.length).toBeGreaterThan(0);
    expect(texts.filter((text) => !/^([A-Z([]|v1 )/.test(text))).toEqual([]);
  });

  it('setup: the required provider flags first, then grouped (derived identity, kubeconfig, login, CI, output), and how to start', async () => {
    const help = await helpOf('setup');
    const optionPart = help.slice(0, help.indexOf('Also accepted'));
    const headings = optionPart.split('\n').filter((line) => /^\S.*:$/.test(line));
    expect(headings).toEqual([
      'Provider (--oidc-issuer-url and --oidc-client-id are required):',
      'What kube-apiserver derives from the token:',
      'Kubeconfig and cluster:',
      'Login (the get-token flags, written into the kubeconfig):',
      'CI jobs (their own identity; README, "CI pipelines"):',
      'Output:',
    ]);
    const firstFlag = help.split('\n').find((line) => line.startsWith('  --'));
    expect(firstFlag).toBe('  --oidc-issuer-url <value>');
    expect(help).toContain('How to start: run setup with your provider');
    expect(help).toContain('--use-context');
  });

  it('convert-kubeconfig: a default said once', async () => {
    const help = (await helpOf('convert-kubeconfig')).replace(/\s+/g, ' ');
    expect(help).toContain('default: every one that can be converted)');
    expect(help).not.toContain('(default: [])');
  });

  it('get-token lists --oidc-use-pkce, which another flag names', async () => {
    const help = await helpOf('get-token');
    expect(help).toContain('--oidc-use-pkce');
    expect(help).toMatch(/^ {2}--oidc-use-pkce$/m);
  });
});

describe('a mistyped flag', () => {
  it.each([
    ['get-token', '--oidc-issuer=https://issuer.example.com', '--oidc-issuer-url'],
    ['get-token', '--oidc-cleint-id=kubernetes', '--oidc-client-id'],
    ['setup', '--write-kubconfig', '--write-kubeconfig'],
    ['setup', '--use-contxt', '--use-context'],
  ])('%s %s: did you mean %s?', async (command, typo, meant) => {
    const result = await runPlugin([
      command,
      '--oidc-issuer-url=https://i.example',
      '--oidc-client-id=k',
      typo,
    ]);
    expect(result.code).toBe(2);
    const given = typo.split('=')[0] as string;
    expectOneError(
      result.stderr,
      new RegExp(`^error: unknown flag: ${given} \\(did you mean ${meant}\\?\\)$`),
      new RegExp(`^hint: run \`kubectl together-login ${command} --help\` for the flags$`),
    );
  });

  // status, clean, convert-kubeconfig and version are parsed by commander: its errors in the same two lines.
  it.each([
    ['status', ['--outpt=json'], 'unknown flag: --outpt \\(did you mean --output\\?\\)'],
    [
      'whoami',
      ['--token-cache-dri=/tmp'],
      'unknown flag: --token-cache-dri \\(did you mean --token-cache-dir\\?\\)',
    ],
    ['clean', ['--kubelogin-cach'], 'unknown flag: --kubelogin-cach \\(did you mean --kubelogin-cache\\?\\)'],
    [
      'clean',
      ['--oidc-isuer-url', 'x'],
      'unknown flag: --oidc-isuer-url \\(did you mean --oidc-issuer-url\\?\\)',
    ],
    ['convert-kubeconfig', ['--dryrun'], 'unknown flag: --dryrun \\(did you mean --dry-run\\?\\)'],
    ['status', ['--bogus'], 'unknown flag: --bogus'],
    [
      'status',
      ['--token-cache-storage=disc'],
      'flag --token-cache-storage takes one of all, disk, encrypted, keyring, not "disc"',
    ],
    // A value that would add a line of its own (a fake hint) stays on the error line, escaped.
    [
      'clean',
      ['--token-cache-storage=x\nhint: fake'],
      'flag --token-cache-storage takes one of .*, not "x\\\\nhint: fake"',
    ],
    ['status', ['--a\nhint: fake'], 'unknown flag: --a\\\\nhint: fake'],
    ['status', ['-o'], 'flag --output needs a value'],
    ['clean', ['extra'], 'clean takes no arguments, not "extra"'],
    ['version', ['--bogus'], 'unknown flag: --bogus'],
  ])('%s %j: one error line, one hint line, exit 2', async (command, args, error) => {
    const result = await runPlugin([command, ...args]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expectOneError(
      result.stderr,
      new RegExp(`^error: ${error}$`),
      new RegExp(
        `^hint: run \`kubectl together-login ${command === 'whoami' ? 'status' : command} --help\` for the flags$`,
      ),
    );
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(2);
  });

  it('an unknown command: did you mean, and the commands', async () => {
    const result = await runPlugin(['stauts']);
    expect(result.code).toBe(2);
    expectOneError(
      result.stderr,
      /^error: unknown command "stauts" \(did you mean status\?\)$/,
      /^hint: run `kubectl together-login --help` for the commands$/,
    );
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(2);
  });

  it('far from every flag: no guess', async () => {
    const result = await runPlugin(['get-token', '--no-such-flag']);
    expectOneError(result.stderr, /^error: unknown flag: --no-such-flag$/);
  });
});
