/**
 * The test API server's JWT authenticators, built like kube-apiserver builds them: from the legacy `--oidc-*` flag
 * values, or from the text of an AuthenticationConfiguration (apiserver.config.k8s.io/v1 or v1beta1), validated the
 * way kube-apiserver validates it (a username claim needs an explicit prefix). A token is routed to the
 * authenticator whose issuer equals its unverified `iss` byte for byte, then verified against that issuer's JWKS
 * (found through discovery on first use), its audiences, exp and nbf. Written from the Kubernetes documentation of
 * structured authentication; it is the independent oracle for src/core/setup/kube-identity.ts.
 */
import { createRemoteJWKSet, decodeJwt, type JWTPayload, jwtVerify } from 'jose';
import { parse } from 'yaml';

export interface JwtAuthenticatorConfig {
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly usernameClaim: string;
  readonly usernamePrefix: string;
  readonly groupsClaim?: string;
  readonly groupsPrefix: string;
  /** claimValidationRules of the `claim` + `requiredValue` form: each claim must equal its value. */
  readonly requiredClaims?: readonly { readonly claim: string; readonly requiredValue: string }[];
}

export interface UserInfo {
  readonly username: string;
  readonly groups: readonly string[];
}

/** The legacy flags: no --oidc-username-prefix means `<issuer>#` for every claim but email. */
export function fromLegacyFlags(flags: {
  issuer: string;
  clientId: string;
  usernameClaim?: string;
  groupsClaim?: string;
}): JwtAuthenticatorConfig {
  const usernameClaim = flags.usernameClaim ?? 'sub';
  return {
    issuer: flags.issuer,
    audiences: [flags.clientId],
    usernameClaim,
    usernamePrefix: usernameClaim === 'email' ? '' : `${flags.issuer}#`,
    groupsClaim: flags.groupsClaim,
    groupsPrefix: '',
  };
}

/** Throws, as kube-apiserver refuses to start, on a configuration it would reject. */
export function fromAuthenticationConfiguration(text: string): JwtAuthenticatorConfig[] {
  const config = parse(text) as Record<string, unknown>;
  if (!/^apiserver\.config\.k8s\.io\/(v1|v1beta1)$/.test(String(config?.apiVersion)))
    throw new Error(`unsupported apiVersion ${String(config?.apiVersion)}`);
  if (config.kind !== 'AuthenticationConfiguration')
    throw new Error(`unsupported kind ${String(config.kind)}`);
  if (!Array.isArray(config.jwt) || config.jwt.length === 0) throw new Error('jwt: Required value');
  const seen = new Set<string>();
  return (config.jwt as JwtEntry[]).map((entry, index) => {
    const at = `jwt[${index}]`;
    const issuer = entry?.issuer;
    if (typeof issuer?.url === 'string' && seen.has(issuer.url))
      throw new Error(`${at}.issuer.url: Duplicate value: "${issuer.url}"`);
    if (typeof issuer?.url === 'string') seen.add(issuer.url);
    // kube-apiserver wants https; the rig also takes loopback http, so tests need no CA plumbing for the provider.
    if (typeof issuer?.url !== 'string' || !/^(https:\/\/|http:\/\/127\.0\.0\.1[:/])/.test(issuer.url))
      throw new Error(`${at}.issuer.url: must be an https URL`);
    if (!Array.isArray(issuer.audiences) || issuer.audiences.length === 0)
      throw new Error(`${at}.issuer.audiences: Required value`);
    const username = entry.claimMappings?.username;
    if (typeof username?.claim !== 'string' || username.claim === '')
      throw new Error(`${at}.claimMappings.username: claim or expression is required`);
    if (typeof username.prefix !== 'string')
      throw new Error(
        `${at}.claimMappings.username.prefix: Required value: prefix is required when claim is set`,
      );
    const groups = entry.claimMappings?.groups;
    if (groups?.claim !== undefined && typeof groups.prefix !== 'string')
      throw new Error(
        `${at}.claimMappings.groups.prefix: Required value: prefix is required when claim is set`,
      );
    const rules = entry.claimValidationRules ?? [];
    if (!Array.isArray(rules)) throw new Error(`${at}.claimValidationRules: must be a list`);
    const requiredClaims = rules.map((rule, ruleIndex) => {
      const ruleAt = `${at}.claimValidationRules[${ruleIndex}]`;
      // CEL rules (expression + message) are kube-apiserver's; the rig has no CEL evaluator and says so.
      if (rule?.expression !== undefined)
        throw new Error(`${ruleAt}.expression: the rig does not evaluate CEL`);
      if (typeof rule?.claim !== 'string' || rule.claim === '')
        throw new Error(`${ruleAt}.claim: Required value: claim or expression is required`);
      if (rule.requiredValue !== undefined && typeof rule.requiredValue !== 'string')
        throw new Error(`${ruleAt}.requiredValue: must be a string`);
      return { claim: rule.claim, requiredValue: rule.requiredValue ?? '' };
    });
    return {
      issuer: issuer.url,
      audiences: issuer.audiences as string[],
      ...(requiredClaims.length > 0 ? { requiredClaims } : {}),
      usernameClaim: username.claim,
      usernamePrefix: username.prefix,
      groupsClaim: groups?.claim as string | undefined,
      groupsPrefix: (groups?.prefix as string | undefined) ?? '',
    };
  });
}

interface JwtEntry {
  readonly issuer?: { readonly url?: unknown; readonly audiences?: unknown };
  readonly claimValidationRules?: readonly {
    readonly claim?: unknown;
    readonly requiredValue?: unknown;
    readonly expression?: unknown;
  }[];
  readonly claimMappings?: {
    readonly username?: { readonly claim?: unknown; readonly prefix?: unknown };
    readonly groups?: { readonly claim?: unknown; readonly prefix?: unknown };
  };
}

export function createJwtAuthenticator(configs: readonly JwtAuthenticatorConfig[]) {
  const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();
  const keySetOf = async (issuer: string) => {
    let keySet = keySets.get(issuer);
    if (!keySet) {
      // go-oidc (kube-apiserver) trims a trailing slash before appending the well-known path.
      const response = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
      const discovery = (await response.json()) as { jwks_uri: string };
      keySet = createRemoteJWKSet(new URL(discovery.jwks_uri));
      keySets.set(issuer, keySet);
    }
    return keySet;
  };

  return async (token: string): Promise<UserInfo> => {
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(token);
    } catch {
      throw new Error('not a JWT');
    }
    const config = configs.find((candidate) => candidate.issuer === unverified.iss);
    if (!config) throw new Error(`no authenticator for issuer ${String(unverified.iss)}`);
    const { payload } = await jwtVerify(token, await keySetOf(config.issuer), {
      issuer: config.issuer,
      audience: [...config.audiences],
    });
    for (const rule of config.requiredClaims ?? []) {
      // kube-apiserver: the claim must be present and a string equal to requiredValue.
      if (payload[rule.claim] !== rule.requiredValue)
        throw new Error(`claim ${rule.claim} is not "${rule.requiredValue}"`);
    }
    const value = payload[config.usernameClaim];
    if (typeof value !== 'string' || value === '') throw new Error(`claim ${config.usernameClaim} missing`);
    if (config.usernameClaim === 'email' && 'email_verified' in payload && payload.email_verified !== true)
      throw new Error('email not verified');
    const raw = config.groupsClaim ? payload[config.groupsClaim] : undefined;
    const groups = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? (raw as string[]) : [];
    return {
      username: `${config.usernamePrefix}${value}`,
      groups: [...groups.map((group) => `${config.groupsPrefix}${group}`), 'system:authenticated'],
    };
  };
}
