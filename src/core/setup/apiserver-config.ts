/**
 * What a cluster admin applies to kube-apiserver for an OIDC issuer: the legacy `--oidc-*` flags, or the structured
 * AuthenticationConfiguration (apiserver.config.k8s.io/v1 from Kubernetes 1.34, v1beta1 for 1.30–1.33). Both map
 * the claims exactly as ./kube-identity.ts predicts. Rendered by hand (no YAML library on this path); golden tests
 * in test/unit/apiserver-config.test.ts pin the text.
 */
import { type ClaimMapping, effectiveUsernamePrefix } from './kube-identity.js';

export interface ApiserverOidcSettings extends ClaimMapping {
  readonly clientId: string;
}

export function renderApiserverFlags(settings: ApiserverOidcSettings): string {
  const flags = [
    `--oidc-issuer-url=${settings.issuer}`,
    `--oidc-client-id=${settings.clientId}`,
    `--oidc-username-claim=${settings.usernameClaim}`,
  ];
  if (settings.usernamePrefix !== undefined) flags.push(`--oidc-username-prefix=${settings.usernamePrefix}`);
  if (settings.groupsClaim) flags.push(`--oidc-groups-claim=${settings.groupsClaim}`);
  if (settings.groupsClaim && settings.groupsPrefix)
    flags.push(`--oidc-groups-prefix=${settings.groupsPrefix}`);
  return `${flags.join('\n')}\n`;
}

export function renderAuthenticationConfiguration(
  settings: ApiserverOidcSettings,
  version: 'v1' | 'v1beta1',
): string {
  const lines = [
    `apiVersion: apiserver.config.k8s.io/${version}`,
    'kind: AuthenticationConfiguration',
    'jwt:',
    '- issuer:',
    `    url: ${yamlString(settings.issuer)}`,
    '    audiences:',
    `    - ${yamlString(settings.clientId)}`,
    '  claimMappings:',
    '    username:',
    `      claim: ${yamlString(settings.usernameClaim)}`,
    // The structured configuration has no implicit prefix: spell out the one the legacy flags would apply.
    `      prefix: ${yamlString(effectiveUsernamePrefix(settings))}`,
  ];
  if (settings.groupsClaim) {
    lines.push(
      '    groups:',
      `      claim: ${yamlString(settings.groupsClaim)}`,
      `      prefix: ${yamlString(settings.groupsPrefix ?? '')}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** A YAML double-quoted scalar (JSON string syntax is valid YAML). */
function yamlString(value: string): string {
  return JSON.stringify(value);
}
