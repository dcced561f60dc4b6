/**
 * The checks `setup` makes and what it prints, as pure functions of what discovery and the login returned. The
 * composition (src/app/setup.ts) does the I/O; everything a user reads is decided here and tested as tables.
 */

import type { PkceMethod } from './get-token-input.js';
import { installHint } from './install-hint.js';
import { type LoginFlow, withoutDeviceCode } from './select-flow.js';

export type CheckStatus = 'passed' | 'warning' | 'failed';

export interface Check {
  readonly step: string;
  readonly status: CheckStatus;
  readonly detail: string;
  /** What to do about a warning or failure. */
  readonly fix?: string;
}

/** Discovery-document checks for the flow that will be used. */
/** `pkce`: --oidc-pkce-method, so that the PKCE line says what the login used (src/oidc/pkce.ts decides the same way). */
export function checkDiscovery(
  metadata: Readonly<Record<string, unknown>>,
  flow: LoginFlow,
  pkce: PkceMethod,
): Check[] {
  const checks: Check[] = [];
  const has = (field: string) => typeof metadata[field] === 'string' && metadata[field] !== '';
  const needed = ['token_endpoint', 'jwks_uri'];
  if (flow === 'authcode' || flow === 'authcode-keyboard') needed.unshift('authorization_endpoint');
  if (flow === 'device-code') needed.unshift('device_authorization_endpoint');
  const missing = needed.filter((field) => !has(field));
  checks.push(
    missing.length === 0
      ? { step: 'endpoints', status: 'passed', detail: `${needed.join(', ')} present` }
      : {
          step: 'endpoints',
          status: 'failed',
          detail: `the discovery document lacks ${missing.join(', ')}`,
          fix:
            flow === 'device-code'
              ? `the provider offers no device-code flow: enable it for this client at the provider, or ${withoutDeviceCode}`
              : 'check --oidc-issuer-url',
        },
  );
  if (flow === 'authcode' || flow === 'authcode-keyboard') checks.push(pkceCheck(metadata, pkce));
  const grant = grantTypeOf(flow);
  const grants = metadata.grant_types_supported;
  if (Array.isArray(grants) && !grants.includes(grant)) {
    checks.push({
      step: 'grant types',
      status: 'failed',
      detail: `the provider does not list ${grant} in grant_types_supported`,
      fix: 'choose another --grant-type, or enable the grant for the client at the provider',
    });
  } else {
    checks.push({
      step: 'grant types',
      status: 'passed',
      detail: Array.isArray(grants) ? `${grant} supported` : `${grant} (not advertised; assumed)`,
    });
  }
  return checks;
}

/** What the login used: S256 when asked for or advertised, nothing with --oidc-pkce-method=no. */
function pkceCheck(metadata: Readonly<Record<string, unknown>>, pkce: PkceMethod): Check {
  const methods = metadata.code_challenge_methods_supported;
  const advertised = Array.isArray(methods) && methods.includes('S256');
  if (pkce === 'no')
    return {
      step: 'PKCE',
      status: advertised ? 'warning' : 'passed',
      detail: `off (--oidc-pkce-method=no)${advertised ? ', though the provider advertises S256' : ''}`,
      ...(advertised ? { fix: 'drop --oidc-pkce-method=no: PKCE protects the code in transit' } : {}),
    };
  if (advertised) return { step: 'PKCE', status: 'passed', detail: 'S256 advertised' };
  if (pkce === 'S256')
    return {
      step: 'PKCE',
      status: 'passed',
      detail: 'S256 (--oidc-pkce-method=S256), sent though code_challenge_methods_supported does not list it',
    };
  return {
    step: 'PKCE',
    status: 'warning',
    detail: 'code_challenge_methods_supported does not list S256, so PKCE stays off by default',
    fix: 'if the provider supports PKCE anyway (most do), add --oidc-pkce-method=S256',
  };
}

export function grantTypeOf(flow: LoginFlow): string {
  switch (flow) {
    case 'authcode':
    case 'authcode-keyboard':
      return 'authorization_code';
    case 'device-code':
      return 'urn:ietf:params:oauth:grant-type:device_code';
    case 'password':
      return 'password';
    case 'client-credentials':
      return 'client_credentials';
  }
}

/** Checks of the tokens the login returned (their signature, iss, aud, exp and nonce were already validated). */
export function checkTokens(
  claims: Readonly<Record<string, unknown>>,
  tokens: { refreshToken: boolean; refreshed?: RefreshOutcome },
  settings: {
    usernameClaim: string;
    groupsClaim: string | undefined;
    extraScopes: readonly string[];
    authRequestExtraParams?: Readonly<Record<string, string>>;
    useAccessToken?: boolean;
  },
  nowSec: number,
): Check[] {
  const checks: Check[] = [
    { step: 'ID token', status: 'passed', detail: 'signature (JWKS), iss, aud, exp and nonce valid' },
  ];
  const iat = typeof claims.iat === 'number' ? claims.iat : undefined;
  const exp = typeof claims.exp === 'number' ? claims.exp : undefined;
  if (iat !== undefined) {
    const skew = Math.abs(nowSec - iat);
    checks.push(
      skew <= 60
        ? { step: 'clock', status: 'passed', detail: `skew against the provider ${skew} s` }
        : {
            step: 'clock',
            status: 'warning',
            detail: `this machine's clock is ${skew} s off the provider's`,
            fix: 'synchronise the clock (NTP); tokens may be refused as not yet valid or expired',
          },
    );
  }
  if (iat !== undefined && exp !== undefined) {
    const lifetime = exp - iat;
    checks.push(
      lifetime >= 120
        ? { step: 'lifetime', status: 'passed', detail: `${Math.round(lifetime / 60)} min` }
        : {
            step: 'lifetime',
            status: 'warning',
            detail: `${lifetime} s`,
            fix: 'very short tokens mean a refresh on nearly every kubectl call; raise the ID token lifetime at the provider',
          },
    );
  }
  checks.push(
    tokens.refreshToken
      ? checkRefresh(tokens.refreshed, settings.useAccessToken ?? false)
      : {
          step: 'refresh token',
          status: 'warning',
          detail: 'none issued: every expiry means a new login',
          fix: !settings.extraScopes.includes('offline_access')
            ? 'add --oidc-extra-scope=offline_access (most providers issue refresh tokens only then)'
            : settings.authRequestExtraParams?.prompt?.split(' ').includes('consent')
              ? 'allow refresh tokens for this client at the provider'
              : // Google-style providers (and oidc-provider) ignore offline_access unless the user is asked again.
                'add --oidc-auth-request-extra-params=prompt=consent (some providers grant offline_access only with a consent prompt), else allow refresh tokens for this client at the provider',
        },
  );
  const username = claims[settings.usernameClaim];
  checks.push(
    typeof username === 'string' && username !== ''
      ? { step: 'username claim', status: 'passed', detail: `${settings.usernameClaim} = ${username}` }
      : {
          step: 'username claim',
          status: 'failed',
          detail: `the ID token has no "${settings.usernameClaim}" claim`,
          fix:
            settings.usernameClaim === 'email'
              ? 'add --oidc-extra-scope=email, or choose --username-claim=sub'
              : `choose a --username-claim the token has: ${Object.keys(claims).join(', ')}`,
        },
  );
  if (settings.usernameClaim === 'email' && 'email_verified' in claims && claims.email_verified !== true) {
    checks.push({
      step: 'email verified',
      status: 'failed',
      detail: 'email_verified is not true: kube-apiserver refuses the token',
      fix: 'verify the email at the provider, or choose --username-claim=sub',
    });
  }
  if (settings.groupsClaim) {
    const groups = claims[settings.groupsClaim];
    checks.push(
      groups === undefined
        ? {
            step: 'groups claim',
            status: 'warning',
            detail: `the ID token has no "${settings.groupsClaim}" claim`,
            fix: `add --oidc-extra-scope=${settings.groupsClaim} and map groups into the ID token at the provider`,
          }
        : {
            step: 'groups claim',
            status: 'passed',
            detail: `${settings.groupsClaim} = ${JSON.stringify(groups)}`,
          },
    );
  }
  return checks;
}

/** What setup's one real refresh with the new refresh token brought back. */
export type RefreshOutcome =
  | { readonly kind: 'id-token' }
  | { readonly kind: 'no-id-token' }
  | { readonly kind: 'refused'; readonly detail: string };

/** The refresh-token check from a real refresh (setup tries one), or from the token's presence alone. */
export function checkRefresh(outcome: RefreshOutcome | undefined, useAccessToken: boolean): Check {
  const step = 'refresh token';
  switch (outcome?.kind) {
    case undefined:
      return { step, status: 'passed', detail: 'issued (not tried)' };
    case 'id-token':
      return {
        step,
        status: 'passed',
        detail: 'refreshed once: a new ID token came back, so expired tokens are refreshed silently',
      };
    case 'no-id-token':
      return useAccessToken
        ? {
            step,
            status: 'passed',
            detail:
              'refreshed once: a new access token came back (no id_token, which --oidc-use-access-token does not need)',
          }
        : {
            step,
            status: 'warning',
            detail:
              'refreshed once, but the answer has no id_token: in the default ID-token mode every expiry means a new login',
            fix: "raise the ID token lifetime at the provider, or use --oidc-use-access-token if the cluster accepts the provider's access tokens",
          };
    case 'refused':
      return {
        step,
        status: 'failed',
        detail: `issued, but refused when used: ${outcome.detail}`,
        fix: 'allow the refresh_token grant for this client at the provider; until then every expiry means a new login',
      };
  }
}

/** kube-apiserver accepts only https issuers (--oidc-issuer-url and AuthenticationConfiguration alike). */
export function checkIssuerScheme(issuer: string): Check | undefined {
  if (!issuer.startsWith('http://')) return undefined;
  return {
    step: 'issuer scheme',
    status: 'warning',
    detail:
      'kube-apiserver accepts only https issuers: the flags and AuthenticationConfiguration below will be refused',
    fix: 'serve the provider over https (e.g. behind a reverse proxy with a certificate) and use that URL',
  };
}

export function renderChecklist(checks: readonly Check[]): string {
  const mark = { passed: '✓', warning: '!', failed: '✗' } as const;
  return checks
    .map(
      (check) =>
        `${mark[check.status]} ${check.step}: ${check.detail}${check.fix ? `\n    fix: ${check.fix}` : ''}`,
    )
    .join('\n')
    .concat('\n');
}

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
    `- name: ${JSON.stringify(userName)}`,
    '  user:',
    '    exec:',
    '      apiVersion: client.authentication.k8s.io/v1',
    '      command: kubectl-together_login',
    '      args:',
    '      - get-token',
    ...settings.getTokenArgs.map((arg) => `      - ${JSON.stringify(arg)}`),
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

export function renderRbacCommands(username: string, groups: readonly string[]): string {
  const lines = [
    `kubectl create clusterrolebinding oidc-user-view --clusterrole=view --user=${shellQuote(username)}`,
  ];
  // The alphabetically first group: providers list groups in no particular order, and the command must not change
  // from one login to the next.
  const group = [...groups].sort().find((name) => name !== 'system:authenticated');
  if (group)
    lines.push(
      `kubectl create clusterrolebinding oidc-group-view --clusterrole=view --group=${shellQuote(group)}`,
    );
  return `${lines.join('\n')}\n`;
}

export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
