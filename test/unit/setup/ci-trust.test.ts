import { describe, expect, it } from 'vitest';
import { renderAuthenticationConfiguration } from '../../../src/core/setup/apiserver-config.js';
import {
  type CiTrustSettings,
  ciPrefixProblem,
  predictCiUsername,
  renderCiJwtEntry,
} from '../../../src/core/setup/ci-trust.js';
import { fromAuthenticationConfiguration } from '../../rig/api-authn.js';

const github: CiTrustSettings = {
  platform: 'github-actions',
  issuer: 'https://token.actions.githubusercontent.com',
  audience: 'prod-cluster',
  repository: 'octo-org/deploy',
  branch: 'main',
  environment: undefined,
  usernamePrefix: 'github-actions:',
};
const gitlab: CiTrustSettings = {
  ...github,
  platform: 'gitlab',
  issuer: 'https://gitlab.example.com',
  repository: 'infra/team-a/deploy',
  usernamePrefix: 'gitlab-ci:',
};
const people = {
  issuer: 'https://idp.example.com',
  usernameClaim: 'email',
  usernamePrefix: undefined,
  groupsClaim: 'groups',
  groupsPrefix: 'oidc:',
};

describe('CI trust', () => {
  it.each([
    [github, 'github-actions:repo:octo-org/deploy:ref:refs/heads/main'],
    [{ ...github, branch: 'release/1.2' }, 'github-actions:repo:octo-org/deploy:ref:refs/heads/release/1.2'],
    [{ ...github, environment: 'production' }, 'github-actions:repo:octo-org/deploy:environment:production'],
    [gitlab, 'gitlab-ci:project_path:infra/team-a/deploy:ref_type:branch:ref:main'],
  ])('predicts the username kube-apiserver maps from sub (%#)', (settings, username) => {
    expect(predictCiUsername(settings)).toBe(username);
  });

  it('renders the jwt entry (golden) with the owner pinned', () => {
    expect(renderCiJwtEntry(github)).toBe(
      [
        '- issuer:',
        '    url: "https://token.actions.githubusercontent.com"',
        '    audiences:',
        '    - "prod-cluster"',
        '  claimValidationRules:',
        '  - claim: "repository_owner"',
        '    requiredValue: "octo-org"',
        '  claimMappings:',
        '    username:',
        '      claim: "sub"',
        '      prefix: "github-actions:"',
        '',
      ].join('\n'),
    );
    expect(renderCiJwtEntry(gitlab)).toContain(
      '  - claim: "namespace_path"\n    requiredValue: "infra/team-a"\n',
    );
  });

  it("follows the people's entry in one configuration that kube-apiserver (the rig) accepts", () => {
    const text =
      renderAuthenticationConfiguration({ ...people, clientId: 'kubernetes' }, 'v1') +
      renderCiJwtEntry(github);
    const [person, ci] = fromAuthenticationConfiguration(text);
    expect(person?.issuer).toBe('https://idp.example.com');
    expect(ci).toEqual({
      issuer: 'https://token.actions.githubusercontent.com',
      audiences: ['prod-cluster'],
      usernameClaim: 'sub',
      usernamePrefix: 'github-actions:',
      groupsPrefix: '',
      requiredClaims: [{ claim: 'repository_owner', requiredValue: 'octo-org' }],
    });
    // The same issuer twice is refused, as kube-apiserver refuses it.
    expect(() => fromAuthenticationConfiguration(text + renderCiJwtEntry(github))).toThrow(/Duplicate value/);
  });

  it.each([
    [people, 'github-actions:', undefined],
    [{ ...people, usernameClaim: 'sub' }, 'github-actions:', undefined],
    [people, '', /must not be empty/],
    [people, '-', /must not be empty/],
    [people, 'system:ci:', /reserves/],
    [{ ...people, usernameClaim: 'sub', usernamePrefix: 'ci:' }, 'ci:github:', /overlap/],
    [{ ...people, usernameClaim: 'sub', usernamePrefix: 'ci:github:' }, 'ci:', /overlap/],
    [{ ...people, usernameClaim: 'preferred_username', usernamePrefix: '-' }, 'github-actions:', /no prefix/],
  ])('keeps people and jobs apart (%#)', (mapping, prefix, problem) => {
    const found = ciPrefixProblem(mapping, prefix);
    if (problem) expect(found?.text).toMatch(problem);
    else expect(found).toBeUndefined();
  });
});
