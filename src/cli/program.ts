/**
 * commander wiring for everything but the get-token fast path: help, version, and (later) the other commands.
 * The get-token help is rendered from the same flag table the fast path parses with.
 */
import { Command, type CommanderError, Help, Option } from 'commander';
import { runClean, runCleanKubeloginCache, runStatus, type StorageChoice } from '../app/cache-commands.js';
import { runConvertKubeconfig } from '../app/convert-kubeconfig.js';
import { runGetToken } from '../app/get-token.js';
import { runSetup } from '../app/setup/run-setup.js';
import { AppError } from '../app-error.js';
import { cacheDirFor } from '../cache/location.js';
import { ExitCode } from '../error-codes.js';
import type { FlagSpec } from '../flags/argv.js';
import { getTokenFlags, klogFlags } from '../flags/get-token-flags.js';
import { setupFlags } from '../flags/setup/setup-flags.js';
import { expandHome, kubeHomeDir } from '../platform/home.js';
import { createStderrLogger } from '../platform/logger.js';
import { helpFooter, version, versionReport } from '../version.js';
import { commanderUsageError } from './usage-error.js';

export async function runProgram(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const program = new Command('kubectl-together_login')
    .description(
      'kubectl credential plugin for OpenID Connect: logs you in, caches and refreshes your token.',
    )
    .version(version, '--version', 'Print the version')
    // One style for every command's help: option texts start with a capital and stay within the terminal's width.
    // Where the flag names leave too little room beside them (get-token's and setup's, at 80 columns), the text goes
    // on the lines below the flag, as kubectl prints its own flags; commander would let those lines run on.
    .configureHelp({ formatItem: stackedWhenNarrow })
    .helpOption('-h, --help', 'Show this help')
    .configureOutput({
      writeOut: (text) => process.stdout.write(text),
      writeErr: (text) => process.stderr.write(text),
      // Its parse errors are thrown instead, as our one error and hint lines (cli/usage-error.ts).
      outputError: () => undefined,
    })
    .exitOverride()
    .addHelpText('after', helpFooter());

  const getToken = program
    .command('get-token')
    .description('print an ExecCredential with a valid token for kubectl (logs in when needed)')
    .helpOption('-h, --help', 'Show this help');
  addHelpOptions(getToken, getTokenFlags);
  getToken.addHelpText('after', klogHelpNote);
  getToken
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async () => {
      process.stdout.write(await runGetToken(argv.slice(1), env, () => undefined));
    });

  const cacheOptions = (command: Command) =>
    command
      .option(
        '--token-cache-dir <dir>',
        'Directory of the token cache (default: ~/.kube/cache/oidc-login, or $KUBECACHEDIR/oidc-login)',
      )
      .addOption(
        new Option('--token-cache-storage <storage>', 'Which storage to look at')
          .choices(['all', 'disk', 'encrypted', 'keyring'])
          .default('all'),
      )
      .option('-v, --v <level>', 'Log verbosity on stderr', '0');
  const withKlogFlags = (command: Command) => {
    addHelpOptions(command, klogFlags);
    return command;
  };
  const commonInput = (options: { tokenCacheDir?: string; tokenCacheStorage: StorageChoice; v: string }) => {
    const home = kubeHomeDir(process.platform, env);
    return {
      tokenCacheDir: cacheDirFor(options.tokenCacheDir, env, home),
      storage: options.tokenCacheStorage,
      env,
      logger: createStderrLogger(Number(options.v) || 0),
    };
  };

  withKlogFlags(
    cacheOptions(
      program
        .command('status')
        .alias('whoami')
        .description(
          'list the cached identities: issuer, client, user, groups, storage, expiry (never a token)',
        ),
    ),
  )
    .addOption(new Option('-o, --output <format>', 'Text or JSON').choices(['text', 'json']).default('text'))
    .action(async (options) => {
      process.stdout.write(await runStatus({ ...commonInput(options), output: options.output }));
    });

  withKlogFlags(
    cacheOptions(
      program
        .command('clean')
        .description(
          "remove this plugin's cached tokens and login records (all, or one issuer / client): the next run logs in afresh; other tools' files are never touched (--kubelogin-cache removes int128/kubelogin's instead)",
        ),
    ),
  )
    .option('--oidc-issuer-url <url>', 'Only the entries of this issuer')
    .option('--oidc-client-id <id>', 'Only the entries of this client')
    .option(
      '--kubelogin-cache',
      "Instead: remove int128/kubelogin's (and together-kubelogin's) cached tokens from the cache directory and int128's keyring items (service kubelogin), once you moved; this plugin's entries stay",
    )
    .action(async (options) => {
      if (options.kubeloginCache) {
        process.stdout.write(await runCleanKubeloginCache(commonInput(options)));
        return;
      }
      process.stdout.write(
        await runClean({
          ...commonInput(options),
          issuer: options.oidcIssuerUrl,
          clientId: options.oidcClientId,
        }),
      );
    });

  const setup = program
    .command('setup')
    .description(
      'test an issuer configuration end to end and print what the cluster admin and the user apply',
    )
    .addHelpOption(new Option('-h, --help', 'Show this help').helpGroup('Output:'));
  addHelpOptions(setup, setupHelpOrder(), setupHelpGroup);
  setup.addHelpText('after', `${klogHelpNote}\n${setupHowToStart}`);
  setup
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async () => {
      // Without a provider to test, as int128/kubelogin: how to start, and exit 0.
      if (!namesProvider(argv.slice(1))) {
        setup.outputHelp();
        return;
      }
      const result = await runSetup(argv.slice(1), env);
      process.stdout.write(result.stdout);
      if (result.exitCode !== ExitCode.ok)
        throw new AppError('setup.failed', 'a check of setup failed (its checklist is on stderr)', {
          exitCode: result.exitCode,
        });
    });

  withKlogFlags(program.command('convert-kubeconfig'))
    .addOption(new Option('-v, --v <level>').hideHelp())
    .description(
      'move kubeconfig users of the oidc auth-provider, int128/kubelogin or together-kubelogin to this plugin (tokens and secrets leave the file)',
    )
    .option(
      '--user <name>',
      'Only this kubeconfig user (repeatable; default: every one that can be converted)',
      // No default value: commander would print "(default: [])" after the text that says what the default is.
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option('--kubeconfig <file>', 'This file instead of the KUBECONFIG list or ~/.kube/config')
    .option('--dry-run', 'Print the changes as a unified diff and write nothing')
    .option(
      '--fold-users',
      "Then fold users that differ only in issuer/client (and other provider settings) into one with provideClusterInfo, each cluster holding its provider's settings",
    )
    .action((options: { user: string[]; kubeconfig?: string; dryRun?: boolean; foldUsers?: boolean }) => {
      process.stdout.write(
        runConvertKubeconfig(
          {
            users: options.user ?? [],
            dryRun: options.dryRun === true,
            foldUsers: options.foldUsers === true,
            ...(options.kubeconfig
              ? { kubeconfig: expandHome(options.kubeconfig, kubeHomeDir(process.platform, env)) }
              : {}),
          },
          env,
        ),
      );
    });

  withKlogFlags(program.command('version'))
    .addOption(new Option('-v, --v <level>').hideHelp())
    .description('print the version, the git commit it was built from, and which build this is')
    .action(() => {
      process.stdout.write(versionReport());
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ExitCode.ok;
  } catch (error) {
    const code = (error as { code?: string; exitCode?: number }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help')
      return ExitCode.ok;
    if (typeof code === 'string' && code.startsWith('commander.'))
      throw commanderUsageError(error as CommanderError, program, argv);
    throw error;
  }
}

/**
 * Declares our flag tables to commander so that --help lists them. Help only: the commands parse their argv with
 * the tables themselves (src/flags/argv.ts), so the defaults shown here are text, not values.
 */
function stackedWhenNarrow(
  this: Help,
  term: string,
  termWidth: number,
  description: string,
  helper: Help,
): string {
  const width = helper.helpWidth ?? 80;
  if (!description || width - termWidth - 4 >= helper.minWidthToWrap)
    return Help.prototype.formatItem.call(this, term, termWidth, description, helper);
  return `  ${term}\n${helper.boxWrap(description, width - 6).replace(/^/gm, '      ')}`;
}

function addHelpOptions(
  command: Command,
  flags: readonly FlagSpec[],
  group?: (flag: FlagSpec) => string,
): void {
  for (const flag of flags) {
    // A hidden boolean may be written --name=false, as pflag allows; commander needs an optional value for that.
    const value = flag.kind !== 'bool' ? ' <value>' : flag.hidden ? ' [bool]' : '';
    const spelling = `${flag.short ? `-${flag.short}, ` : ''}--${flag.name}${value}`;
    const option = new Option(spelling, flag.description);
    if (flag.defaultText) option.default(flag.defaultText);
    if (flag.hidden) option.hideHelp();
    if (group) option.helpGroup(group(flag));
    command.addOption(option);
  }
}

/**
 * setup --help: what must be given first (the provider), then what setup decides (the cluster's mapping, the
 * kubeconfig and the cluster to call), then the login flags it shares with get-token, then CI. Groups appear in
 * the order of their first flag.
 */
const setupRequired = ['oidc-issuer-url', 'oidc-client-id', 'oidc-client-secret', 'oidc-extra-scope'];
const setupKubeconfigFlags = [
  'write-kubeconfig',
  'context',
  'cluster',
  'use-context',
  'kubeconfig-user',
  'settings-on-cluster',
];

function setupHelpOrder(): FlagSpec[] {
  const required = setupRequired.map((name) => getTokenFlags.find((flag) => flag.name === name) as FlagSpec);
  const own = setupFlags.filter((flag) => !flag.name.startsWith('ci-') && flag.name !== 'output');
  const mapping = own.filter((flag) => !setupKubeconfigFlags.includes(flag.name));
  const kubeconfig = setupKubeconfigFlags.map((name) => own.find((flag) => flag.name === name) as FlagSpec);
  const login = getTokenFlags.filter((flag) => !setupRequired.includes(flag.name) && flag.name !== 'v');
  const ci = setupFlags.filter((flag) => flag.name.startsWith('ci-'));
  const output = [...setupFlags, ...getTokenFlags].filter(
    (flag) => flag.name === 'output' || flag.name === 'v',
  );
  return [...required, ...mapping, ...kubeconfig, ...login, ...ci, ...output];
}

function setupHelpGroup(flag: FlagSpec): string {
  if (setupRequired.includes(flag.name))
    return 'Provider (--oidc-issuer-url and --oidc-client-id are required):';
  if (setupKubeconfigFlags.includes(flag.name)) return 'Kubeconfig and cluster:';
  if (flag.name.startsWith('ci-token-')) return 'Login (the get-token flags, written into the kubeconfig):';
  if (flag.name.startsWith('ci-')) return 'CI jobs (their own identity; README, "CI pipelines"):';
  if (flag.name === 'output' || flag.name === 'v') return 'Output:';
  if (setupFlags.some((own) => own.name === flag.name)) return 'What kube-apiserver derives from the token:';
  return 'Login (the get-token flags, written into the kubeconfig):';
}

const klogHelpNote = `
Also accepted, as int128/kubelogin accepts them (global flags, also before the
subcommand; no effect here but -v):
${wrapWords(klogFlags.map((flag) => `--${flag.name}`).join(', '), 76).replace(/^/gm, '  ')}
`;

/** Text broken into lines of at most `width` characters at spaces. */
function wrapWords(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line].join('\n');
}

const setupHowToStart = `How to start: run setup with your provider's issuer URL and the client
registered for kubectl, e.g.
  kubectl together-login setup --oidc-issuer-url=https://issuer.example.com \\
    --oidc-client-id=kubernetes --oidc-extra-scope=email,groups \\
    --write-kubeconfig --context=oidc@prod --cluster=prod --use-context
It logs you in once, checks the provider and the tokens, and prints the
kube-apiserver flags (or AuthenticationConfiguration), the RBAC commands and the
kubeconfig user; with --write-kubeconfig it also writes the user and the
context, and caches the login for kubectl. See README.md, "Setting up a
cluster".
`;

/** Whether setup was given an issuer and a client (int128/kubelogin prints its instructions otherwise). */
function namesProvider(args: readonly string[]): boolean {
  const given = (name: string) =>
    args.some((arg) => (arg === `--${name}` || arg.startsWith(`--${name}=`)) && arg !== `--${name}=`);
  return given('oidc-issuer-url') && given('oidc-client-id');
}
