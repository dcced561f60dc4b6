/**
 * `convert-kubeconfig`: moves the kubeconfig users of the in-tree oidc auth-provider, int128/kubelogin and
 * together-kubelogin to this plugin (src/kube/convert-user.ts decides each user). Every file of the KUBECONFIG
 * list (or --kubeconfig) is edited in place entry by entry, so every other byte stays; `--dry-run` prints the
 * unified diff instead, with the dropped secrets masked. The report goes to stderr, one line per user.
 */
import { createTwoFilesPatch } from 'diff';
import { redact, usageError } from '../app-error.js';
import { convertUser } from '../kube/convert-user.js';
import { upsertNamedEntry } from '../kube/kubeconfig-edit.js';
import { isRecord, parseConfig } from '../kube/kubeconfig-read.js';
import { writeStderr } from '../platform/logger.js';
import { foldUsers } from './apply-fold.js';
import { loadYaml, readKubeconfigFiles, replaceKubeconfigFile } from './kubeconfig-files.js';

export interface ConvertOptions {
  /** Only these users; all convertible users when empty. */
  readonly users: readonly string[];
  readonly dryRun: boolean;
  /** One file instead of KUBECONFIG / ~/.kube/config. */
  readonly kubeconfig?: string;
  /** Then fold users that differ only in their provider into one, settings on the clusters (app/apply-fold.ts). */
  readonly foldUsers?: boolean;
}

export function runConvertKubeconfig(options: ConvertOptions, env: NodeJS.ProcessEnv): string {
  if (options.foldUsers && options.dryRun)
    throw usageError(
      '--fold-users cannot be combined with --dry-run',
      'run it without --dry-run: every file it changes keeps a backup',
    );
  const yaml = loadYaml();
  const files = readKubeconfigFiles(env, options.kubeconfig);
  const wanted = new Set(options.users);
  const seen = new Set<string>();
  const report: string[] = [];
  const secrets: string[] = [];
  const patches: string[] = [];
  let converted = 0;

  for (const file of files) {
    let text = file.text;
    let secretsInFile = false;
    const config = parseConfig(yaml, file);
    const users = Array.isArray(config.users) ? config.users : [];
    for (const entry of users) {
      if (!isRecord(entry) || typeof entry.name !== 'string') continue;
      const name = entry.name;
      if (wanted.size > 0 && !wanted.has(name)) continue;
      seen.add(name);
      const result = convertUser(entry.user, file.path);
      if (result.kind === 'unchanged') {
        if (wanted.size > 0 || !result.reason.startsWith('not an OIDC login'))
          report.push(`- user "${name}" (${file.path}): unchanged, ${result.reason}`);
        continue;
      }
      converted++;
      secrets.push(...result.secretValues);
      if (result.secretValues.length > 0) secretsInFile = true;
      text = upsertNamedEntry(yaml, text, 'users', { name, user: { exec: result.exec } });
      const dropped =
        result.dropped.length > 0 ? `; dropped from the file: ${result.dropped.join(', ')}` : '';
      report.push(`✓ user "${name}" (${file.path}): from ${result.from}${dropped}`);
      if (result.clientSecretDropped)
        report.push(
          `    ! its client secret is no longer in the file: export OIDC_CLIENT_SECRET=… where kubectl runs (or add it with kubectl config set-credentials ${name} --exec-env=OIDC_CLIENT_SECRET=…)`,
          ...(result.secretSentWhenAsked
            ? [
                '      with its --oidc-pkce-method=S256 the secret goes out once the provider asks the client to authenticate (one token request more per login and refresh)',
              ]
            : []),
        );
      report.push(
        result.from === 'auth-provider oidc'
          ? '    the next kubectl command logs in once: the tokens written in the file are not carried over'
          : `    the next kubectl command logs in once: ${result.from}'s cached tokens (its files and keyring entries) are not read`,
      );
    }
    if (text === file.text) continue;
    if (options.dryRun) {
      patches.push(createTwoFilesPatch(file.path, file.path, file.text, text, 'current', 'converted'));
    } else {
      const backup = replaceKubeconfigFile(file.path, text);
      report.push(`  wrote ${file.path}${backup ? ` (previous file: ${backup})` : ''}`);
      if (backup && secretsInFile)
        report.push(
          `    ! the previous file still holds the secrets dropped above (mode 0600 at most): delete ${backup} once kubectl works`,
        );
    }
  }

  const unknown = [...wanted].filter((name) => !seen.has(name));
  if (unknown.length > 0)
    throw usageError(
      `no user ${unknown.map((name) => `"${name}"`).join(', ')} in ${files.map((file) => file.path).join(', ')}`,
      'list the users with kubectl config get-users',
    );
  if (converted === 0)
    report.push('nothing to convert: no user logs in with the oidc auth-provider or a kubelogin');
  else if (options.dryRun) report.push(`dry run: ${converted} user(s) would be converted; nothing written`);
  if (options.foldUsers) report.push(...foldUsers(env, options.kubeconfig));
  writeStderr(redact(`${report.join('\n')}\n`, secrets));
  return redact(patches.join(''), secrets);
}
