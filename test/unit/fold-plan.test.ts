import { describe, expect, it } from 'vitest';
import { getTokenFlags } from '../../src/flags/get-token-flags.js';
import { planFold } from '../../src/kube/fold-plan.js';

const user = (issuer: string, extra: string[] = []) => ({
  exec: {
    apiVersion: 'client.authentication.k8s.io/v1',
    command: 'kubectl-together_login',
    args: ['get-token', `--oidc-issuer-url=${issuer}`, '--oidc-client-id=k', ...extra],
    interactiveMode: 'IfAvailable',
  },
});
const map = (entries: Record<string, Record<string, unknown>>) => new Map(Object.entries(entries));
const fold = (
  users: Record<string, Record<string, unknown>>,
  contexts: Record<string, Record<string, unknown>>,
  clusters: Record<string, Record<string, unknown>> = { a: {}, b: {} },
) => planFold({ users: map(users), contexts: map(contexts), clusters: map(clusters) }, getTokenFlags);

describe('convert-kubeconfig --fold-users (plan)', () => {
  it('folds users that differ only in the provider; each cluster gets its settings', () => {
    const { plans, notes } = fold(
      {
        east: user('https://a'),
        west: user('https://b'),
        other: user('https://c', ['--grant-type=device-code']),
      },
      {
        e: { cluster: 'a', user: 'east' },
        w: { cluster: 'b', user: 'west' },
        o: { cluster: 'a', user: 'other' },
      },
    );
    expect(notes).toEqual([]);
    expect(plans).toHaveLength(1);
    expect(plans[0]).toMatchObject({
      shared: 'east',
      members: ['east', 'west'],
      contextsToRepoint: ['w'],
      exec: { args: ['get-token'], provideClusterInfo: true },
    });
    expect(Object.fromEntries(plans[0]?.clusterSettings ?? [])).toEqual({
      a: { 'oidc-issuer-url': 'https://a', 'oidc-client-id': 'k' },
      b: { 'oidc-issuer-url': 'https://b', 'oidc-client-id': 'k' },
    });
  });

  it('leaves a group alone when a cluster would get two providers or has other exec settings', () => {
    const twoProviders = fold(
      { east: user('https://a'), west: user('https://b') },
      { e: { cluster: 'a', user: 'east' }, w: { cluster: 'a', user: 'west' } },
    );
    expect(twoProviders.plans).toEqual([]);
    expect(twoProviders.notes).toEqual([
      'users "east", "west" not folded: cluster "a" is used with two different providers',
    ]);
    const existing = fold(
      { east: user('https://a'), west: user('https://b') },
      { e: { cluster: 'a', user: 'east' }, w: { cluster: 'b', user: 'west' } },
      {
        a: {
          extensions: [
            { name: 'client.authentication.k8s.io/exec', extension: { 'oidc-issuer-url': 'https://x' } },
          ],
        },
        b: {},
      },
    );
    expect(existing.plans).toEqual([]);
    expect(existing.notes[0]).toMatch(
      /cluster "a" already has other client.authentication.k8s.io\/exec settings/,
    );
  });

  it('skips a user no context uses, and users not of this plugin', () => {
    const { plans, notes } = fold(
      {
        east: user('https://a'),
        west: user('https://b'),
        kubelogin: { exec: { command: 'kubectl', args: ['oidc-login'] } },
      },
      { e: { cluster: 'a', user: 'east' } },
    );
    expect(plans).toEqual([]);
    expect(notes).toEqual(['user "west" is used by no context: left as it is']);
  });
});
