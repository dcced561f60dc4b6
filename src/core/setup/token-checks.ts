/**
 * setup's checks of the tokens the login returned: clock skew, lifetime, the refresh token (from one real refresh),
 * the username and groups claims kube-apiserver will read. Pure: app/setup/run-setup.ts does the I/O.
 */

import type { Check } from './checklist.js';

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
