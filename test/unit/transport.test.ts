import { describe, expect, it } from 'vitest';
import { providerTls } from '../../src/oidc/transport.js';

describe('TLS to the provider', () => {
  it('trusts exactly the given CAs, not the system roots besides them (as int128/kubelogin and kubectl)', () => {
    expect(providerTls({ certificateAuthorities: ['PEM-A', 'PEM-B'], insecureSkipTlsVerify: false })).toEqual(
      {
        ca: ['PEM-A', 'PEM-B'],
        rejectUnauthorized: true,
      },
    );
  });

  it('keeps the system roots when no CA is given, and turns the check off only when asked', () => {
    expect(providerTls({ certificateAuthorities: [], insecureSkipTlsVerify: true })).toEqual({
      ca: undefined,
      rejectUnauthorized: false,
    });
  });
});
