/** The RBAC bindings setup suggests for the user it predicted: a role for the user, and for one of its groups. */

import { shellQuote } from './shell-quote.js';

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
