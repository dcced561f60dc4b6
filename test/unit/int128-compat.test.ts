/**
 * The README's promise, checked flag by flag: every flag of int128/kubelogin v1.36 (`pkg/cmd/get_token.go`,
 * `setup.go`, `authentication.go`, `tls.go`, `pkce.go`, `tokencache.go`, and klog's flags that `root.go` registers
 * on every command) is accepted in its pflag form, has int128's default, means what it means there, and is listed
 * by --help. Flags whose meaning we deliberately changed say so in `changed` (the README lists them too).
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runProgram } from '../../src/cli/program.js';
import type { GetTokenInput } from '../../src/core/get-token-input.js';
import { hoistGlobalFlags } from '../../src/flags/argv.js';
import { getTokenFlags, globalFlagNames, klogFlags } from '../../src/flags/get-token-flags.js';
import { parseGetTokenInput } from '../../src/flags/parse-get-token.js';

type Form = 'string' | 'bool' | 'int' | 'strings' | 'stringArray' | 'stringToString';
type Field = keyof GetTokenInput;

interface Int128Flag {
  readonly flag: string;
  /** pflag type in int128's help (`strings` is StringSlice). */
  readonly form: Form;
  /** int128's default, as our parsed input holds it. */
  readonly default: unknown;
  /** A value as a kubeconfig would carry it, and what that means in our input. */
  readonly example?: string;
  readonly field?: Field;
  readonly meaning: unknown;
  readonly commands: readonly ('get-token' | 'setup')[];
  /** int128 hides it from --help too (deprecated), or lists it under Global Flags (klog). */
  readonly help?: 'hidden' | 'global';
  /** Why the meaning differs from int128's, on purpose. */
  readonly changed?: string;
}

const both = ['get-token', 'setup'] as const;
const getTokenOnly = ['get-token'] as const;
const home = '/home/u';
const noEffectTls = {
  form: 'bool',
  default: undefined,
  meaning: undefined,
  commands: both,
  changed:
    "no effect: Node's TLS client decides renegotiation (TLS 1.3 has none); kept so kubeconfigs keep working",
} as const;

const int128Flags: readonly Int128Flag[] = [
  {
    flag: 'oidc-issuer-url',
    form: 'string',
    default: undefined,
    example: 'https://idp.example.com/realms/k8s',
    field: 'issuerUrl',
    meaning: 'https://idp.example.com/realms/k8s',
    commands: both,
  },
  {
    flag: 'oidc-client-id',
    form: 'string',
    default: undefined,
    example: 'kube',
    field: 'clientId',
    meaning: 'kube',
    commands: both,
  },
  {
    flag: 'oidc-client-secret',
    form: 'string',
    default: undefined,
    example: 's3cret',
    field: 'clientSecret',
    meaning: 's3cret',
    commands: both,
  },
  {
    flag: 'oidc-redirect-url',
    form: 'string',
    default: undefined,
    example: 'http://localhost:8000/callback',
    field: 'redirectUrl',
    meaning: 'http://localhost:8000/callback',
    commands: both,
  },
  {
    flag: 'oidc-extra-scope',
    form: 'strings',
    default: [],
    example: 'email,groups',
    field: 'extraScopes',
    meaning: ['email', 'groups'],
    commands: both,
    changed: "items are trimmed and empty ones dropped (pflag's CSV would keep ' groups')",
  },
  {
    flag: 'oidc-use-access-token',
    form: 'bool',
    default: false,
    field: 'useAccessToken',
    meaning: true,
    commands: both,
  },
  {
    flag: 'oidc-request-header',
    form: 'stringToString',
    default: {},
    example: 'Accept=text/html, application/json',
    field: 'requestHeaders',
    meaning: { Accept: 'text/html, application/json' },
    commands: both,
  },
  {
    flag: 'force-refresh',
    form: 'bool',
    default: false,
    field: 'forceRefresh',
    meaning: true,
    commands: getTokenOnly,
  },
  {
    flag: 'token-cache-dir',
    form: 'string',
    default: `${home}/.kube/cache/oidc-login`,
    example: '~/cache',
    field: 'tokenCacheDir',
    meaning: `${home}/cache`,
    commands: getTokenOnly,
  },
  {
    flag: 'token-cache-storage',
    form: 'string',
    default: 'disk',
    example: 'none',
    field: 'tokenCacheStorage',
    meaning: 'none',
    commands: getTokenOnly,
  },
  {
    flag: 'certificate-authority',
    form: 'stringArray',
    default: [],
    example: '~/ca,1.pem',
    field: 'certificateAuthorityFiles',
    meaning: [`${home}/ca,1.pem`],
    commands: both,
  },
  {
    flag: 'certificate-authority-data',
    form: 'stringArray',
    default: [],
    example: 'TFMwdExT',
    field: 'certificateAuthorityData',
    meaning: ['TFMwdExT'],
    commands: both,
  },
  {
    flag: 'insecure-skip-tls-verify',
    form: 'bool',
    default: false,
    field: 'insecureSkipTlsVerify',
    meaning: true,
    commands: both,
  },
  { flag: 'tls-renegotiation-once', ...noEffectTls },
  { flag: 'tls-renegotiation-freely', ...noEffectTls },
  {
    flag: 'oidc-pkce-method',
    form: 'string',
    default: 'auto',
    example: 'S256',
    field: 'pkceMethod',
    meaning: 'S256',
    commands: both,
  },
  {
    flag: 'oidc-use-pkce',
    form: 'bool',
    default: 'auto',
    field: 'pkceMethod',
    meaning: 'S256',
    commands: both,
  },
  {
    flag: 'grant-type',
    form: 'string',
    default: 'auto',
    example: 'device-code',
    field: 'grantType',
    meaning: 'device-code',
    commands: both,
    changed:
      'auto also chooses the device code where no browser can be shown (int128: always the browser unless --username); there the browser flow prints the URL and launches nothing',
  },
  {
    flag: 'listen-address',
    form: 'strings',
    default: ['127.0.0.1:8000', '127.0.0.1:18000'],
    example: '127.0.0.1:9000,127.0.0.1:9001',
    field: 'listenAddresses',
    meaning: ['127.0.0.1:9000', '127.0.0.1:9001'],
    commands: both,
    changed: "items are trimmed and empty ones dropped (pflag's CSV would keep ' 127.0.0.1:9000')",
  },
  {
    flag: 'skip-open-browser',
    form: 'bool',
    default: false,
    field: 'skipOpenBrowser',
    meaning: true,
    commands: both,
  },
  {
    flag: 'browser-command',
    form: 'string',
    default: undefined,
    example: 'firefox',
    field: 'browserCommand',
    meaning: 'firefox',
    commands: both,
    changed:
      'a value that is not an existing file is split into words, so "open -a Firefox" works (int128: one program name)',
  },
  {
    flag: 'authentication-timeout-sec',
    form: 'int',
    default: 180,
    example: '60',
    field: 'authenticationTimeoutSec',
    meaning: 60,
    commands: both,
    changed:
      'when given it bounds a device-code login too (int128: authcode only; without it both wait for the code to expire); 0 or less is refused (int128 gives up at once)',
  },
  {
    flag: 'local-server-cert',
    form: 'string',
    default: undefined,
    example: '~/tls.crt',
    field: 'localServerCert',
    meaning: `${home}/tls.crt`,
    commands: both,
  },
  {
    flag: 'local-server-key',
    form: 'string',
    default: undefined,
    example: '~/tls.key',
    field: 'localServerKey',
    meaning: `${home}/tls.key`,
    commands: both,
  },
  {
    flag: 'open-url-after-authentication',
    form: 'string',
    default: undefined,
    example: 'https://example.com/done',
    field: 'openUrlAfterAuthentication',
    meaning: 'https://example.com/done',
    commands: both,
  },
  {
    flag: 'oidc-auth-request-extra-params',
    form: 'stringToString',
    default: {},
    example: 'prompt=consent,ttl=86400',
    field: 'authRequestExtraParams',
    meaning: { prompt: 'consent', ttl: '86400' },
    commands: both,
    changed:
      'also sent with the device authorization request (int128: authcode, keyboard and client credentials only)',
  },
  {
    flag: 'username',
    form: 'string',
    default: undefined,
    example: 'alice',
    field: 'username',
    meaning: 'alice',
    commands: both,
  },
  {
    flag: 'password',
    form: 'string',
    default: undefined,
    example: ' two spaces ',
    field: 'password',
    meaning: ' two spaces ',
    commands: both,
  },
  {
    flag: 'v',
    form: 'int',
    default: 0,
    example: '2',
    field: 'verbosity',
    meaning: 2,
    commands: both,
    changed: 'levels are ours: 1 steps, 2 requests and files (klog levels name no such steps)',
  },
  // klog's flags, registered by int128's root command for every subcommand: accepted, no effect.
  ...(
    [
      ['add_dir_header', 'bool', undefined],
      ['alsologtostderr', 'bool', undefined],
      ['legacy_stderr_threshold_behavior', 'bool', undefined],
      ['log_backtrace_at', 'string', 'main.go:10'],
      ['log_dir', 'string', '/tmp/logs'],
      ['log_file', 'string', '/tmp/log'],
      ['log_file_max_size', 'int', '1800'],
      ['logtostderr', 'bool', undefined],
      ['one_output', 'bool', undefined],
      ['skip_headers', 'bool', undefined],
      ['skip_log_headers', 'bool', undefined],
      ['stderrthreshold', 'string', 'ERROR'],
      ['vmodule', 'string', 'foo=2'],
    ] as const
  ).map(
    ([flag, form, example]): Int128Flag => ({
      flag,
      form,
      default: undefined,
      ...(example ? { example } : {}),
      meaning: undefined,
      commands: both,
      help: 'global',
      changed: 'no effect: logs go to stderr only, at the -v level',
    }),
  ),
];

const base = ['--oidc-issuer-url=https://idp.example.com', '--oidc-client-id=kube'];
const parse = (args: readonly string[]) => parseGetTokenInput([...base, ...args], { env: {}, homeDir: home });

/** Every spelling pflag accepts for a flag of this form (a value of `example`). */
function spellings(row: Int128Flag): string[][] {
  const name = row.flag === 'v' ? '-v' : `--${row.flag}`;
  if (row.form === 'bool') return [[`--${row.flag}`], [`--${row.flag}=true`], [`--${row.flag}=1`]];
  const value = row.example as string;
  const forms = [[`--${row.flag}=${value}`], [`--${row.flag}`, value]];
  if (row.flag === 'v') forms.push([`${name}=${value}`], [`${name}${value}`], [name, value]);
  return forms;
}

async function helpOf(command: 'get-token' | 'setup'): Promise<string> {
  let text = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    text += String(chunk);
    return true;
  });
  try {
    expect(await runProgram([command, '--help'], { HOME: home })).toBe(0);
  } finally {
    write.mockRestore();
  }
  return text;
}

describe('every int128/kubelogin v1.36 flag', () => {
  afterEach(() => vi.restoreAllMocks());

  it('is in our flag table (nothing of int128 is unknown to us)', () => {
    const ours = new Set(getTokenFlags.map((flag) => flag.name));
    expect(int128Flags.map((row) => row.flag).filter((flag) => !ours.has(flag))).toEqual([]);
  });

  it.each(int128Flags.map((row) => [row.flag, row] as const))(
    '--%s: accepted in every pflag form, with int128 default and meaning',
    (_flag, row) => {
      const ours = getTokenFlags.find((flag) => flag.name === row.flag);
      const expectedKind = {
        string: 'string',
        bool: 'bool',
        int: 'int',
        strings: 'stringSlice',
        stringArray: 'stringArray',
        stringToString: 'stringMap',
      }[row.form];
      expect(ours?.kind).toBe(expectedKind);
      if (row.field && row.flag !== 'oidc-issuer-url' && row.flag !== 'oidc-client-id') {
        expect(parse([])[row.field]).toEqual(row.default);
      }
      for (const args of spellings(row)) {
        const input = parse(
          // A server certificate comes with its key.
          row.flag === 'local-server-cert'
            ? [...args, '--local-server-key=k']
            : row.flag === 'local-server-key'
              ? [...args, '--local-server-cert=c']
              : args,
        );
        if (row.field) expect(input[row.field], args.join(' ')).toEqual(row.meaning);
      }
      if (row.form === 'bool' && row.field) {
        expect(parse([`--${row.flag}=false`])[row.field]).toEqual(row.default);
      }
    },
  );

  it.each(['get-token', 'setup'] as const)(
    'is listed by %s --help (klog flags in one line)',
    async (command) => {
      const help = await helpOf(command);
      const listed = (row: Int128Flag) =>
        row.help === 'global'
          ? new RegExp(`Also accepted[^]*--${row.flag}\\b`).test(help)
          : new RegExp(`^ +(-v, )?--${row.flag}( |$)`, 'm').test(help);
      const missing = int128Flags
        .filter((row) => row.commands.includes(command) && row.help !== 'hidden')
        .filter((row) => !listed(row))
        .map((row) => row.flag);
      expect(missing).toEqual([]);
    },
  );

  it('has every deliberate difference of meaning listed in the README', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const paragraph = readme.slice(
      readme.indexOf('Where the meaning differs on'),
      readme.indexOf('| flag | default |'),
    );
    const unlisted = int128Flags
      .filter((row) => row.changed && row.help !== 'global')
      .filter((row) => !paragraph.includes(row.flag === 'v' ? '`-v`' : `--${row.flag}`))
      .map((row) => row.flag);
    expect(unlisted).toEqual([]);
  });

  it('keeps a single key=value whole and splits several as pflag StringToString does', () => {
    expect(parse(['--oidc-auth-request-extra-params=a=1,2']).authRequestExtraParams).toEqual({ a: '1,2' });
    expect(parse(['--oidc-auth-request-extra-params="ttl=1"']).authRequestExtraParams).toEqual({ ttl: '1' });
    expect(
      parse(['--oidc-request-header="X-A=1,2",X-B=3', '--oidc-request-header=X-C=4']).requestHeaders,
    ).toEqual({ 'X-A': '1,2', 'X-B': '3', 'X-C': '4' });
    expect(parse(['--oidc-request-header=']).requestHeaders).toEqual({});
  });

  // Written out as a literal (a set built from the table at load cost every cache hit): it must stay in step.
  it('takes as global flags -v and every klog flag, and nothing else', () => {
    expect([...globalFlagNames].sort()).toEqual(['v', ...klogFlags.map((flag) => flag.name)].sort());
  });

  it('accepts global flags before the subcommand, as cobra accepts persistent flags', () => {
    const hoist = (argv: string[]) => hoistGlobalFlags(argv, getTokenFlags, globalFlagNames);
    expect(hoist(['-v1', 'get-token', '--oidc-client-id=x'])).toEqual([
      'get-token',
      '-v1',
      '--oidc-client-id=x',
    ]);
    expect(hoist(['-v', '2', '--logtostderr', '--log_dir', '/tmp', 'setup'])).toEqual([
      'setup',
      '-v',
      '2',
      '--logtostderr',
      '--log_dir',
      '/tmp',
    ]);
    expect(hoist(['--help'])).toEqual(['--help']);
    expect(hoist(['--oidc-client-id=x', 'get-token'])).toEqual(['--oidc-client-id=x', 'get-token']);
    expect(parse(hoist(['-v1', 'get-token']).slice(1)).verbosity).toBe(1);
  });
});
