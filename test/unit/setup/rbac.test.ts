import { describe, expect, it } from 'vitest';
import { renderRbacCommands } from '../../../src/core/setup/rbac.js';

describe('setup checks', () => {
  it('quotes RBAC subjects for the shell', () => {
    expect(renderRbacCommands("https://idp#o'brien", ['devs', 'system:authenticated'])).toBe(
      `kubectl create clusterrolebinding oidc-user-view --clusterrole=view --user='https://idp#o'\\''brien'\n` +
        'kubectl create clusterrolebinding oidc-group-view --clusterrole=view --group=devs\n',
    );
  });
});
