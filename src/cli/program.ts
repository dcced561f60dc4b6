/**
 * commander wiring for everything but the get-token fast path: help, version, and (later) the other commands.
 * The get-token help is rendered from the same flag table the fast path parses with.
 */
import { Command, Option } from 'commander';
import { runGetToken } from '../app/get-token.js';
import { ExitCode } from '../errors.js';
import { version } from '../version.js';
import { getTokenFlags } from './get-token-options.js';

export async function runProgram(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
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
    .addHelpText(
      'after',
      '\nSee https://github.com/together-login/kubectl-together_login#readme (README.md) for set-up.',
    );

  const getToken = program
    .command('get-token')
    .description('print an ExecCredential with a valid token for kubectl (logs in when needed)')
    .helpOption('-h, --help', 'show this help');
  for (const flag of getTokenFlags) {
    const takesValue = flag.kind !== 'bool';
    const spelling = `${flag.short ? `-${flag.short}, ` : ''}--${flag.name}${takesValue ? ' <value>' : ''}`;
    const option = new Option(spelling, flag.description);
    // Shown in help only: the fast path (parseGetTokenInput) applies the real defaults.
    if (flag.defaultText) option.default(flag.defaultText);
    if (flag.hidden) option.hideHelp();
    getToken.addOption(option);
  }
  getToken.allowUnknownOption().action(async () => {
    process.stdout.write(await runGetToken(argv.slice(1), env, () => undefined));
  });

  program
    .command('version')
    .description('print the version')
    .action(() => {
      process.stdout.write(`kubectl-together_login ${version}\n`);
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ExitCode.ok;
  } catch (error) {
    const code = (error as { code?: string; exitCode?: number }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help')
      return ExitCode.ok;
    if (typeof code === 'string' && code.startsWith('commander.')) return ExitCode.usage;
    throw error;
  }
}
