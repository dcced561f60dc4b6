import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/app-error.js';
import { type ChosenExitCode, type ErrorCode, ExitCode, httpAnswerCode } from '../../src/error-codes.js';
import {
  explainDeviceCodeRefusal,
  explainGrantRefusal,
  explainPasswordRefusal,
  isDeviceCodeUnavailable,
} from '../../src/flows/refusals.js';

/** An AppError as oidc/translate-error.ts makes it from a provider answer: the OAuth error, if any, in its cause. */
function answered(
  code: ErrorCode,
  message: string,
  oauth?: { error: string; error_description?: string },
): AppError {
  return new AppError(code as ChosenExitCode, message, { exitCode: ExitCode.provider, cause: oauth });
}
const bare = (status: number) =>
  answered(
    httpAnswerCode(status),
    `the identity provider refused the login: HTTP ${status} at https://idp/x, without an OAuth error (text/html body)`,
  );

describe('explainDeviceCodeRefusal', () => {
  it.each([
    [answered('auth.unauthorized_client', 'm', { error: 'unauthorized_client' }), 'unauthorized_client'],
    [
      answered('auth.unsupported_grant_type', 'm', { error: 'unsupported_grant_type' }),
      'unsupported_grant_type',
    ],
    [
      answered('auth.invalid_request', 'm', {
        error: 'invalid_request',
        error_description: 'device_code is not allowed for this client',
      }),
      'invalid_request: device_code is not allowed for this client',
    ],
    [bare(400), 'HTTP 400 at https://idp/x, without an OAuth error (text/html body)'],
    [bare(404), 'HTTP 404 at https://idp/x'],
  ])('%s: the device-code flow is refused for the client', (error, said) => {
    const explained = explainDeviceCodeRefusal(error, 'kube', 'poll');
    expect(isDeviceCodeUnavailable(explained)).toBe(true);
    expect((explained as AppError).message).toContain(
      'does not allow the device-code flow for client kube (',
    );
    expect((explained as AppError).message).toContain(said);
    expect((explained as AppError).exitCode).toBe(ExitCode.provider);
  });

  it.each([
    answered('auth.invalid_client', 'm', { error: 'invalid_client' }),
    bare(401),
    answered('auth.invalid_request', 'm', {
      error: 'invalid_request',
      error_description: 'scope is malformed',
    }),
    answered('provider.unreachable', 'cannot reach'),
    new Error('a bug'),
  ])('%s is not a refusal of the flow at the token endpoint: unchanged', (error) => {
    expect(explainDeviceCodeRefusal(error, 'kube', 'poll')).toBe(error);
  });

  it.each([
    answered('auth.invalid_client', 'm', {
      error: 'invalid_client',
      error_description: 'Invalid client type.',
    }),
    answered('auth.client-secret-missing', 'm', { error: 'invalid_client' }),
    bare(401),
  ])('%s at the device authorization endpoint: the flow is refused for the client (Google)', (error) => {
    expect(isDeviceCodeUnavailable(explainDeviceCodeRefusal(error, 'kube', 'device-authorization'))).toBe(
      true,
    );
  });
});

describe('explainGrantRefusal', () => {
  it('names an unoffered grant and what discovery says', () => {
    const error = answered('auth.unsupported_grant_type', 'm', { error: 'unsupported_grant_type' });
    const explained = explainGrantRefusal(error, 'password', 'kube', ['authorization_code']) as AppError;
    expect(explained.message).toBe(
      'the identity provider does not offer the password grant (unsupported_grant_type); its discovery document does not list "password" in grant_types_supported',
    );
    expect(explained.hint).toMatch(/^enable the password grant for client kube at the provider/);
  });

  it('names the client that may not use it; no discovery remark when the grant is listed or nothing is said', () => {
    const error = answered('auth.unauthorized_client', 'm', { error: 'unauthorized_client' });
    for (const listed of [['client_credentials'], undefined]) {
      expect((explainGrantRefusal(error, 'client_credentials', 'robot', listed) as AppError).message).toBe(
        'the identity provider does not allow client robot the client-credentials grant (unauthorized_client)',
      );
    }
  });

  it.each([answered('auth.invalid_client', 'm', { error: 'invalid_client' }), bare(400)])(
    '%s passes unchanged',
    (error) => {
      expect(explainGrantRefusal(error, 'password', 'kube', undefined)).toBe(error);
    },
  );
});

describe('explainPasswordRefusal', () => {
  it.each([
    [
      answered('auth.invalid_grant', 'm', { error: 'invalid_grant', error_description: 'wrong' }),
      'invalid_grant: wrong',
    ],
    [bare(400), 'HTTP 400 at https://idp/x'],
    [bare(401), 'HTTP 401 at https://idp/x'],
  ])('%s without a client secret: exit code 4, the username or password', (error, said) => {
    const explained = explainPasswordRefusal(error, false) as AppError;
    expect(explained.exitCode).toBe(ExitCode.authentication);
    expect(explained.message).toContain('the provider refused the username or password (');
    expect(explained.message).toContain(said);
  });

  it.each([
    answered('auth.invalid_client', 'm', { error: 'invalid_client' }),
    answered('provider.client-rejected', 'challenge'),
    bare(403),
  ])('%s (the client, not the user) passes unchanged', (error) => {
    expect(explainPasswordRefusal(error, false)).toBe(error);
  });

  it('takes a bare 401 to a request with a client secret for the secret, a bare 400 still for the password', () => {
    const secret = bare(401);
    expect(explainPasswordRefusal(secret, true)).toBe(secret);
    expect((explainPasswordRefusal(bare(400), true) as AppError).exitCode).toBe(ExitCode.authentication);
  });
});
