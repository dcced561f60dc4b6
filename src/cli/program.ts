/**
 * commander wiring for everything but the get-token fast path: help, version, and (later) the other commands.
 * The get-token help is rendered from the same flag table the fast path parses with.
 */
import { Command, Option } from 'commander';
import { runClean, runStatus, type StorageChoice } from '../app/cache-commands.js';
import { runConvertKubeconfig } from '../app/convert-kubeconfig.js';
import { runGetToken } from '../app/get-token.js';
import { runSetup } from '../app/setup.js';
import { cacheDirFor } from '../cache/location.js';
import { ExitCode } from '../errors.js';
import type { FlagSpec } from '../flags/argv.js';
import { getTokenFlags, klogFlags } from '../flags/get-token-flags.js';
import { setupFlags } from '../flags/setup-flags.js';
import { expandHome, kubeHomeDir } from '../platform/home.js';
import { createStderrLogger } from '../platform/logger.js';
import { helpFooter, version, versionReport } from '../version.js';

export async function runProgram(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let setupExitCode: number = ExitCode.ok;
  const program = new Command('kubectl-together_login')
    .description(
      'kubectl credential plugin for OpenID Connect: logs you in, caches and refreshes your token.',
    )
    .version(version, '--version', 'print the version')
    .configureOutput({
      writeOut: (text) => process.stdout.write(text),
      writeErr: (text) => process.stderr.write(text),
    })
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', helpFooter());

  const getToken = program
    .command('get-token')
    .description('print an ExecCredential with a valid token for kubectl (logs in when needed)')
    .helpOption('-h, --help', 'show this help');
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
        'directory of the token cache (default: ~/.kube/cache/oidc-login, or $KUBECACHEDIR/oidc-login)',
      )
      .addOption(
        new Option('--token-cache-storage <storage>', 'which storage to look at')
          .choices(['all', 'disk', 'encrypted', 'keyring'])
          .default('all'),
      )
      .option('-v, --v <level>', 'log verbosity on stderr', '0');
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
    .addOption(new Option('-o, --output <format>', 'text or json').choices(['text', 'json']).default('text'))
    .action(async (options) => {
      process.stdout.write(await runStatus({ ...commonInput(options), output: options.output }));
    });

  withKlogFlags(
    cacheOptions(
      program
        .command('clean')
        .description(
          "remove this plugin's cached tokens and login records (all, or one issuer / client): the next run logs in afresh; other tools' files are never touched",
        ),
    ),
  )
    .option('--oidc-issuer-url <url>', 'only the entries of this issuer')
    .option('--oidc-client-id <id>', 'only the entries of this client')
    .action(async (options) => {
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
    .helpOption('-h, --help', 'show this help');
  addHelpOptions(setup, [...setupFlags, ...getTokenFlags]);
  setup.addHelpText('after', klogHelpNote);
  setup
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async () => {
      // Without a provider to test, as int128/kubelogin: how to start, and exit 0.
      if (!namesProvider(argv.slice(1))) {
        process.stdout.write(`${setup.helpInformation()}${klogHelpNote}\n${setupHowToStart}`);
        return;
      }
      const result = await runSetup(argv.slice(1), env);
      process.stdout.write(result.stdout);
      setupExitCode = result.exitCode;
    });

  withKlogFlags(program.command('convert-kubeconfig'))
    .addOption(new Option('-v, --v <level>').hideHelp())
    .description(
      'move kubeconfig users of the oidc auth-provider, int128/kubelogin or together-kubelogin to this plugin (tokens and secrets leave the file)',
    )
    .option(
      '--user <name>',
      'only this kubeconfig user (repeatable; default: every one that can be converted)',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option('--kubeconfig <file>', 'this file instead of the KUBECONFIG list or ~/.kube/config')
    .option('--dry-run', 'print the changes as a unified diff and write nothing')
    .option(
      '--fold-users',
      "then fold users that differ only in issuer/client (and other provider settings) into one with provideClusterInfo, each cluster holding its provider's settings",
    )
    .action((options: { user: string[]; kubeconfig?: string; dryRun?: boolean; foldUsers?: boolean }) => {
      process.stdout.write(
        runConvertKubeconfig(
          {
            users: options.user,
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
    return setupExitCode;
  } catch (error) {
    const code = (error as { code?: string; exitCode?: number }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help')
      return ExitCode.ok;
    if (typeof code === 'string' && code.startsWith('commander.')) return ExitCode.usage;
    throw error;
  }
}

/**
 * Declares our flag tables to commander so that --help lists them. Help only: the commands parse their argv with
 * the tables themselves (src/flags/argv.ts), so the defaults shown here are text, not values.
 */
function addHelpOptions(command: Command, flags: readonly FlagSpec[]): void {
  for (const flag of flags) {
    // A hidden boolean may be written --name=false, as pflag allows; commander needs an optional value for that.
    const value = flag.kind !== 'bool' ? ' <value>' : flag.hidden ? ' [bool]' : '';
    const spelling = `${flag.short ? `-${flag.short}, ` : ''}--${flag.name}${value}`;
    const option = new Option(spelling, flag.description);
    if (flag.defaultText) option.default(flag.defaultText);
    if (flag.hidden) option.hideHelp();
    command.addOption(option);
  }
}

const klogHelpNote = `
Also accepted, as int128/kubelogin accepts them (global flags, also before the subcommand; no effect here but -v):
  ${klogFlags.map((flag) => `--${flag.name}`).join(', ')}
`;

const setupHowToStart = `How to start: run setup with your provider's issuer URL and the client registered for kubectl, e.g.
  kubectl together-login setup --oidc-issuer-url=https://issuer.example.com --oidc-client-id=kubernetes \\
    --oidc-extra-scope=email,groups
It logs you in once, checks the provider and the tokens, and prints the kube-apiserver flags (or
AuthenticationConfiguration), the RBAC commands and the kubeconfig user. See README.md, "Setting up a cluster".
`;

/** Whether setup was given an issuer and a client (int128/kubelogin prints its instructions otherwise). */
function namesProvider(args: readonly string[]): boolean {
  const given = (name: string) =>
    args.some((arg) => (arg === `--${name}` || arg.startsWith(`--${name}=`)) && arg !== `--${name}=`);
  return given('oidc-issuer-url') && given('oidc-client-id');
}
