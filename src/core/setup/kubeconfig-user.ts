/**
 * The kubeconfig user setup prints (and with --write-kubeconfig writes): its exec entry, as YAML to paste under
 * `users:`, and as a `kubectl config set-credentials` command.
 */

import { installHint } from '../install-hint.js';
import type { LoginFlow } from '../select-flow.js';
import { doubleQuotedFor11 } from '../yaml11-text.js';
import { shellQuote } from './shell-quote.js';

export interface UserSettings {
  readonly issuer: string;
  readonly clientId: string;
  /** get-token flags exactly as given to setup (never the client secret or a password). */
  readonly getTokenArgs: readonly string[];
  readonly flow: LoginFlow;
  readonly usesClientSecret: boolean;
}

export interface ExecEntry {
  readonly apiVersion: 'client.authentication.k8s.io/v1';
  readonly command: 'kubectl-together_login';
  readonly args: readonly string[];
  readonly interactiveMode: 'Never' | 'IfAvailable';
  readonly installHint: string;
}

/** The exec entry of the kubeconfig user (the same as the YAML below, for --output json). */
export function kubeconfigExec(settings: UserSettings): ExecEntry {
  return {
    apiVersion: 'client.authentication.k8s.io/v1',
    command: 'kubectl-together_login',
    args: ['get-token', ...settings.getTokenArgs],
    // A device code needs no terminal; prompts do; the browser flow works either way.
    interactiveMode:
      settings.flow === 'device-code' || settings.flow === 'client-credentials' ? 'Never' : 'IfAvailable',
    installHint,
  };
}

/** The kubeconfig user for the exec plugin, as YAML to paste under `users:`. */
export function renderKubeconfigUser(settings: UserSettings, userName: string): string {
  const { interactiveMode } = kubeconfigExec(settings);
  const lines = [
    `- name: ${doubleQuotedFor11(userName)}`,
    '  user:',
    '    exec:',
    '      apiVersion: client.authentication.k8s.io/v1',
    '      command: kubectl-together_login',
    '      args:',
    '      - get-token',
    ...settings.getTokenArgs.map((arg) => `      - ${doubleQuotedFor11(arg)}`),
    `      interactiveMode: ${interactiveMode}`,
    '      installHint: |',
    `        ${installHint}`,
  ];
  if (settings.usesClientSecret) {
    lines.push(
      '      # The client secret stays out of this file: export OIDC_CLIENT_SECRET=… in your shell.',
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The same user as a `kubectl config set-credentials` command, the form int128/kubelogin's users know. kubectl reads
 * each --exec-arg as CSV (a comma would split the argument in two), so an argument with a comma or a quote is
 * written as one quoted CSV field. --exec-interactive-mode needs kubectl 1.30+.
 */
export function renderSetCredentials(settings: UserSettings, userName: string): string {
  const { apiVersion, command, args, interactiveMode } = kubeconfigExec(settings);
  const csvField = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  const lines = [
    `kubectl config set-credentials ${shellQuote(userName)}`,
    `--exec-api-version=${apiVersion}`,
    `--exec-command=${command}`,
    ...args.map((arg) => shellQuote(`--exec-arg=${csvField(arg)}`)),
    `--exec-interactive-mode=${interactiveMode}`,
  ];
  return `${lines.join(' \\\n  ')}\n`;
}
