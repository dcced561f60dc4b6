/**
 * Where the project lives comes from one place, package.json's `homepage` (scripts/build-info.mjs): `--help` and the
 * krew manifest name it when it is set, and name no URL at all when it is not.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { projectHomepage } from '../../scripts/build-info.mjs';
import { krewManifest } from '../../scripts/release/artifacts.mjs';
import { releaseTargets } from '../../scripts/release/targets.mjs';
import { helpFooter } from '../../src/version.js';

describe('projectHomepage', () => {
  it('takes an https URL as it is, and nothing when unset', () => {
    expect(projectHomepage({ homepage: 'https://example.org/kubectl-together_login' })).toBe(
      'https://example.org/kubectl-together_login',
    );
    expect(projectHomepage({})).toBeUndefined();
    expect(projectHomepage({ homepage: '' })).toBeUndefined();
  });

  it.each([
    'http://example.org/',
    'javascript:alert(1)',
    'https://example.org/ with space',
    'https://example.org/\n`rm -rf`',
    42,
  ])('refuses %j: the build fails instead of printing it', (homepage) => {
    expect(() => projectHomepage({ homepage })).toThrow(/^package\.json homepage must be an https:\/\/ URL/);
  });
});

describe('helpFooter', () => {
  it('names the page when there is one', () => {
    expect(helpFooter('https://example.org/p')).toBe(
      '\nConnect a cluster: `kubectl together-login setup --help`.\nDocumentation: https://example.org/p',
    );
  });

  it('names no URL when there is none', () => {
    expect(helpFooter(undefined)).toBe('\nConnect a cluster: `kubectl together-login setup --help`.');
  });
});

describe('krewManifest homepage', () => {
  const input = {
    version: '1.2.3',
    baseUrl: 'https://example.org/releases/v1.2.3',
    platforms: [{ target: releaseTargets[0] as (typeof releaseTargets)[number], sha256: '0'.repeat(64) }],
  };

  it('carries the homepage when set', () => {
    expect(parse(krewManifest({ ...input, homepage: 'https://example.org/p' })).spec.homepage).toBe(
      'https://example.org/p',
    );
  });

  it('has no homepage key when unset', () => {
    expect(Object.keys(parse(krewManifest({ ...input, homepage: undefined })).spec)).not.toContain(
      'homepage',
    );
  });
});
