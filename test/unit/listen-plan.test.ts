import { describe, expect, it } from 'vitest';
import { listenPlan, parseListenAddress } from '../../src/flows/listen-plan.js';

describe('listenPlan', () => {
  it.each([
    ['127.0.0.1:8000', 'localhost', '127.0.0.1', ['::1']],
    ['[::1]:8000', 'localhost', '::1', ['127.0.0.1']],
    ['localhost:8000', 'localhost', '127.0.0.1', ['::1']],
    ['127.0.0.1:8000', 'LocalHost', '127.0.0.1', ['::1']],
    // A redirect URI that names one address reaches only that address.
    ['127.0.0.1:8000', '127.0.0.1', '127.0.0.1', []],
    ['[::1]:8000', '[::1]', '::1', []],
    // Not loopback: the address as given (with a warning at bind time).
    ['0.0.0.0:8000', 'localhost', '0.0.0.0', []],
  ])('%s for a redirect to %s binds %s and %j', (address, redirectHost, primary, companions) => {
    expect(listenPlan(address, redirectHost)).toMatchObject({ primary, companions });
  });

  it.each(['8000', '127.0.0.1:99999', 'a:b:8000', '[::1:8000', '127.0.0.1:'])(
    'refuses %s as a usage error',
    (address) => {
      expect(() => parseListenAddress(address)).toThrow(
        expect.objectContaining({ exitCode: 2, code: 'usage.listen-address' }),
      );
    },
  );
});
