import { describe, expect, it } from 'vitest';
import { parseExecInfo, renderExecCredential } from '../../src/kube/exec-credential.js';

describe('KUBERNETES_EXEC_INFO', () => {
  const v1 = 'client.authentication.k8s.io/v1';
  const v1beta1 = 'client.authentication.k8s.io/v1beta1';
  it.each([
    [undefined, v1beta1, undefined],
    ['', v1beta1, undefined],
    [`{"apiVersion":"${v1}","kind":"ExecCredential","spec":{"interactive":false}}`, v1, false],
    [`{"apiVersion":"${v1beta1}","kind":"ExecCredential","spec":{"interactive":true}}`, v1beta1, true],
    [
      `{"apiVersion":"${v1}","kind":"ExecCredential","spec":{"cluster":{"server":"https://x"}}}`,
      v1,
      undefined,
    ],
    // int128/kubelogin answers v1beta1 when the variable names no apiVersion.
    ['{"kind":"ExecCredential","spec":{"interactive":false}}', v1beta1, false],
    ['{}', v1beta1, undefined],
  ])('%s → %s, interactive %s', (raw, apiVersion, interactive) => {
    expect(parseExecInfo(raw)).toMatchObject({ apiVersion, interactive });
  });

  it.each([
    ['{not json', 'not valid JSON'],
    ['[]', 'not a JSON object'],
    ['{"apiVersion":null}', 'apiVersion null'],
    ['{"apiVersion":""}', 'apiVersion ""'],
    ['"text"', 'not a JSON object'],
    ['{"apiVersion":"client.authentication.k8s.io/v2"}', 'apiVersion "client.authentication.k8s.io/v2"'],
  ])('rejects %s with exit code 2', (raw, message) => {
    expect(() => parseExecInfo(raw)).toThrow(message);
    try {
      parseExecInfo(raw);
    } catch (error) {
      expect(error).toMatchObject({ exitCode: 2 });
    }
  });
});

describe('ExecCredential output', () => {
  it('is one JSON line with the token and an RFC 3339 expiry in whole seconds', () => {
    const text = renderExecCredential(
      'client.authentication.k8s.io/v1',
      'tok',
      Date.UTC(2030, 0, 2, 3, 4, 5, 678),
    );
    expect(text.endsWith('\n')).toBe(true);
    expect(text.trim().includes('\n')).toBe(false);
    expect(JSON.parse(text)).toEqual({
      kind: 'ExecCredential',
      apiVersion: 'client.authentication.k8s.io/v1',
      spec: { interactive: false },
      status: { expirationTimestamp: '2030-01-02T03:04:05Z', token: 'tok' },
    });
  });
});
