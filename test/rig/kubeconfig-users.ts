/** Kubeconfig users as people have them in their files before `convert-kubeconfig`, as lines of YAML text. */

/**
 * A user entry (under `users:`) of kubectl's removed in-tree `auth-provider: oidc`, with its config keys in the
 * given order (`idp-issuer-url`, `client-id`, and any of `client-secret`, `id-token`, `refresh-token`, …).
 */
export function authProviderUserLines(name: string, config: Readonly<Record<string, string>>): string[] {
  return [
    `- name: ${name}`,
    '  user:',
    '    auth-provider:',
    '      name: oidc',
    '      config:',
    ...Object.entries(config).map(([key, value]) => `        ${key}: ${value}`),
  ];
}
