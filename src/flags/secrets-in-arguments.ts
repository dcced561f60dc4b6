/**
 * A secret given as a flag is in the process list, which every local user can read (ps, /proc/PID/cmdline), for as
 * long as the plugin runs. The warnings name the flag and the way to give the secret that no one else can read;
 * get-token says them when the secret is about to be used (a refresh or login, not a cache hit), setup at its start.
 */
import { secretFlags, withoutFlags } from './flag-filter.js';

const warnings: Readonly<Record<string, string>> = {
  password:
    '--password on the command line can be read by other users of this machine in the process list; leave it out to be asked on the terminal',
  'oidc-client-secret':
    '--oidc-client-secret on the command line can be read by other users of this machine in the process list; set OIDC_CLIENT_SECRET instead (env: in the kubeconfig exec entry)',
};

export function secretsInArgumentsWarnings(argv: readonly string[]): string[] {
  // The flag filter finds a secret flag in every form the parser accepts (--name=value, --name value, -name=value).
  const given = new Set(withoutFlags(argv, secretFlags).removed);
  return Object.entries(warnings)
    .filter(([flag]) => given.has(flag))
    .map(([, warning]) => warning);
}
