/**
 * The cache hit parses get-token's flags with their names and kinds alone (src/flags/get-token-flag-kinds.ts), not
 * with the table that --help renders (issue 25): the two must name the same flags, in the same order, alike.
 */
import { describe, expect, it } from 'vitest';
import { type FlagShape, flagLookup, parseArgs } from '../../src/flags/argv.js';
import { getTokenFlagKinds, getTokenFlagShapes } from '../../src/flags/get-token-flag-kinds.js';
import { getTokenFlags } from '../../src/flags/get-token-flags.js';

const shapeOf = ({ name, kind, short, hidden }: FlagShape): FlagShape => ({
  name,
  kind,
  ...(short === undefined ? {} : { short }),
  ...(hidden === undefined ? {} : { hidden }),
});

describe("get-token's flag kinds (what the cache hit parses with)", () => {
  it('are the help table’s flags, in its order, with the same kinds, alias and visibility', () => {
    expect(getTokenFlagShapes()).toEqual(getTokenFlags.map(shapeOf));
  });

  it('find each flag as a lookup of the table does, by name and alias', () => {
    const table = flagLookup(getTokenFlags);
    for (const name of [...getTokenFlags.map((flag) => flag.name), 'v']) {
      expect(getTokenFlagKinds.flagNamed(name)).toEqual(shapeOf(table.flagNamed(name) as FlagShape));
    }
    expect(getTokenFlagKinds.visibleNames()).toEqual(table.visibleNames());
  });

  it.each([
    '',
    'oidc-issuer',
    'issuer-url',
    'oidc-issuer-url string',
    'listen-port stringSlice',
    'string\noidc-client-id',
    'V',
    '-v',
  ])('find no flag named %j (a name that is no whole line of the list)', (name) => {
    expect(getTokenFlagKinds.flagNamed(name)).toBeUndefined();
    expect(flagLookup(getTokenFlags).flagNamed(name)).toBeUndefined();
  });

  it('parse argv as the table does, errors included', () => {
    const argvs = [
      ['--oidc-issuer-url=https://a', '-v3', '--listen-port', '9000', '--oidc-extra-scope=a, b,,c'],
      ['--logtostderr', '--v=2', '--oidc-request-header=A=1,B=2'],
      ['--oidc-isuer-url=https://a'],
      ['--listen-port stringSlice=1'],
      ['--skip-open-browser=maybe'],
    ];
    for (const argv of argvs) {
      const run = (flags: Parameters<typeof parseArgs>[1]) => {
        try {
          return parseArgs(argv, flags);
        } catch (error) {
          return (error as Error).message;
        }
      };
      expect(run(getTokenFlagKinds)).toEqual(run(getTokenFlags));
    }
  });
});
