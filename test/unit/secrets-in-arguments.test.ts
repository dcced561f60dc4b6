import { describe, expect, it } from 'vitest';
import { secretsInArgumentsWarnings } from '../../src/flags/secrets-in-arguments.js';

describe('secretsInArgumentsWarnings: a secret in the process list, in every form the parser takes', () => {
  it.each([
    [['--password=pw'], ['--password']],
    [['--password', 'pw'], ['--password']],
    [['-password=pw'], ['--password']],
    [
      ['--oidc-client-secret=s', '--password=pw'],
      ['--password', '--oidc-client-secret'],
    ],
    [['--username=alice', '--oidc-issuer-url=https://idp'], []],
  ])('%j → %j', (argv, flags) => {
    expect(secretsInArgumentsWarnings(argv).map((warning) => warning.split(' ')[0])).toEqual(flags);
  });
});
