/**
 * The Kubernetes identity kube-apiserver's OIDC authenticator derives from an ID token's claims, computed the same
 * way, so `setup` can predict it and print the RBAC subject to bind:
 * - the username is the `usernameClaim` (default `sub`); with `email`, an `email_verified` claim, when present,
 *   must be true;
 * - the username prefix defaults to `<issuer>#` for every claim but `email` (no prefix); `-` means no prefix;
 * - groups come from `groupsClaim` (a string or a list of strings), each with `groupsPrefix`;
 * - every authenticated user is also in `system:authenticated`.
 */
export interface ClaimMapping {
  readonly issuer: string;
  readonly usernameClaim: string;
  /** undefined: kube-apiserver's default; '-': none. */
  readonly usernamePrefix: string | undefined;
  readonly groupsClaim: string | undefined;
  readonly groupsPrefix: string | undefined;
}

export type KubeIdentity =
  | { readonly ok: true; readonly username: string; readonly groups: readonly string[] }
  | { readonly ok: false; readonly problem: string };

export function effectiveUsernamePrefix(mapping: ClaimMapping): string {
  if (mapping.usernamePrefix === '-') return '';
  if (mapping.usernamePrefix !== undefined) return mapping.usernamePrefix;
  return mapping.usernameClaim === 'email' ? '' : `${mapping.issuer}#`;
}

export function kubeIdentity(claims: Readonly<Record<string, unknown>>, mapping: ClaimMapping): KubeIdentity {
  const value = claims[mapping.usernameClaim];
  if (typeof value !== 'string' || value === '') {
    return {
      ok: false,
      problem: `the ID token has no "${mapping.usernameClaim}" claim (the username claim)`,
    };
  }
  if (mapping.usernameClaim === 'email' && 'email_verified' in claims && claims.email_verified !== true) {
    return {
      ok: false,
      problem: 'the email is not verified (email_verified is not true): kube-apiserver refuses it',
    };
  }
  const groups: string[] = [];
  if (mapping.groupsClaim) {
    const raw = claims[mapping.groupsClaim];
    const list = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : [];
    if (list.some((group) => typeof group !== 'string')) {
      return {
        ok: false,
        problem: `the "${mapping.groupsClaim}" claim is not a string or a list of strings`,
      };
    }
    groups.push(...(list as string[]).map((group) => `${mapping.groupsPrefix ?? ''}${group}`));
  }
  return {
    ok: true,
    username: `${effectiveUsernamePrefix(mapping)}${value}`,
    groups: [...groups, 'system:authenticated'],
  };
}
