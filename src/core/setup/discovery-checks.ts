/**
 * setup's checks of the provider before the login: the discovery document has what the chosen flow needs (endpoints,
 * PKCE, grant type), and the issuer is one kube-apiserver accepts. Pure: app/setup/run-setup.ts does the I/O.
 */

import type { PkceMethod } from '../get-token-input.js';
import { type LoginFlow, withoutDeviceCode } from '../select-flow.js';
import type { Check } from './checklist.js';

/**
 * Discovery-document checks for the flow that will be used. `pkce`: --oidc-pkce-method, so that the PKCE line says
 * what the login used (src/oidc/pkce.ts decides the same way).
 */
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
