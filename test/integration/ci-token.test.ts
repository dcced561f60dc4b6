/**
 * `--grant-type=ci-token` (a CI job logs in as itself, with no person's login) through the built plugin: the CI job's
 * own token from the rig's stand-in for the CI token service (GitHub's request/response, GitLab's variable, a token
 * file), checked and cached like any entry; each missing source is one line with the fix. kubectl and the API server:
 * test/e2e/ci-identity.test.ts.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CiTokenService, startCiTokenService } from '../rig/ci-token-service.js';
import { parseCredential, runPlugin, tempDir } from '../rig/plugin.js';
import { expectNoSecretLeaked } from '../rig/secrets.js';

const v1 = JSON.stringify({
  apiVersion: 'client.authentication.k8s.io/v1',
  kind: 'ExecCredential',
  spec: { interactive: false },
});
const audience = 'rig-cluster';
const repo = { kind: 'github', repository: 'octo-org/octo-repo', ref: 'refs/heads/main' } as const;
const project = { kind: 'gitlab', projectPath: 'my-group/my-project', ref: 'main' } as const;

describe('get-token --grant-type=ci-token', () => {
  let service: CiTokenService;
  let cacheDir: string;
  const ciArgs = (source: string, extra: string[] = []) => [
    'get-token',
    '--grant-type=ci-token',
    `--ci-token-source=${source}`,
    `--ci-token-audience=${audience}`,
    `--token-cache-dir=${cacheDir}`,
    ...extra,
  ];

  beforeAll(async () => {
    service = await startCiTokenService({ tokenTtlSec: 300 });
  });
  afterAll(async () => {
    await service.close();
  });
  beforeEach(() => {
    cacheDir = join(tempDir('cache'), 'oidc-login');
    service.requests.length = 0;
  });

  it('GitHub Actions: requests the token for the audience, hands it over with its exp, and caches it', async () => {
    const job = service.githubJob(repo);
    const first = await runPlugin(ciArgs('github-actions', ['-v=2']), { ...job, KUBERNETES_EXEC_INFO: v1 });
    expect(first.code, first.stderr).toBe(0);
    const credential = parseCredential(first.stdout);
    expect(credential.apiVersion).toBe('client.authentication.k8s.io/v1');
    const claims = decodeJwt(credential.token);
    expect(claims).toMatchObject({
      iss: service.issuer,
      aud: audience,
      sub: 'repo:octo-org/octo-repo:ref:refs/heads/main',
    });
    // exp minus the default 30 s margin.
    expect(Date.parse(credential.expirationTimestamp)).toBe(((claims.exp as number) - 30) * 1000);
    expect(service.requests).toEqual([{ audience, authorized: true }]);
    expectNoSecretLeaked({
      stderr: first.stderr,
      stdout: first.stdout,
      dirs: [cacheDir],
      secrets: [job.ACTIONS_ID_TOKEN_REQUEST_TOKEN, credential.token],
      credentialToken: credential.token,
    });

    // The next kubectl command: a cache hit, no request.
    const second = await runPlugin(ciArgs('github-actions'), { ...job, KUBERNETES_EXEC_INFO: v1 });
    expect(second.code, second.stderr).toBe(0);
    expect(parseCredential(second.stdout).token).toBe(credential.token);
    expect(service.requests).toHaveLength(1);
    expect(readdirSync(cacheDir).filter((name) => name.endsWith('.json'))).toHaveLength(1);

    // Another job on a runner that keeps its home: never the first job's token.
    const other = service.githubJob({ ...repo, ref: 'refs/heads/feature' });
    const third = await runPlugin(ciArgs('github-actions'), { ...other, KUBERNETES_EXEC_INFO: v1 });
    expect(third.code, third.stderr).toBe(0);
    expect(decodeJwt(parseCredential(third.stdout).token).sub).toBe(
      'repo:octo-org/octo-repo:ref:refs/heads/feature',
    );
    expect(service.requests).toHaveLength(2);
  });

  it('GitHub Actions: a token that expires is fetched again', async () => {
    const short = await startCiTokenService({ tokenTtlSec: 2 });
    try {
      const job = short.githubJob(repo);
      const args = ciArgs('github-actions', ['--token-expiry-margin=0']);
      const first = await runPlugin(args, job);
      expect(first.code, first.stderr).toBe(0);
      const { waitUntilExpired } = await import('../rig/expiry.js');
      await waitUntilExpired(parseCredential(first.stdout).token);
      const second = await runPlugin(args, job);
      expect(second.code, second.stderr).toBe(0);
      expect(parseCredential(second.stdout).token).not.toBe(parseCredential(first.stdout).token);
      expect(short.requests).toHaveLength(2);
    } finally {
      await short.close();
    }
  });

  it('GitHub Actions without permissions: id-token: write, outside GitHub, and with a refused request token', async () => {
    const noPermission = await runPlugin(ciArgs('github-actions'), { GITHUB_ACTIONS: 'true', CI: 'true' });
    expect(noPermission.code).toBe(2);
    expect(noPermission.stderr).toBe(
      'error: this GitHub Actions job may not request an OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL is not set)\n' +
        'hint: add "permissions: id-token: write" to the workflow or the job (pull requests from forks never get a token)\n',
    );
    const outside = await runPlugin(ciArgs('github-actions'));
    expect(outside.code).toBe(2);
    expect(outside.stderr).toMatch(
      /^error: not inside a GitHub Actions job \(ACTIONS_ID_TOKEN_REQUEST_URL is not set\)\nhint: .+\n$/,
    );

    const job = service.githubJob(repo);
    const refused = await runPlugin(ciArgs('github-actions'), {
      ...job,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'not-the-request-token',
    });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(
      /^error: GitHub's OIDC token service answered HTTP 401 Unauthorized\nhint: .+\n$/,
    );
    expect(service.requests).toEqual([{ audience, authorized: false }]);
    expect(readdirSync(cacheDir).filter((name) => name.endsWith('.json'))).toHaveLength(0);
  });

  it('GitLab CI: the id_tokens variable, checked for the audience and expiry', async () => {
    const token = await service.mint(project, audience);
    const ok = await runPlugin(ciArgs('gitlab:KUBE_ID_TOKEN'), { GITLAB_CI: 'true', KUBE_ID_TOKEN: token });
    expect(ok.code, ok.stderr).toBe(0);
    expect(parseCredential(ok.stdout).token).toBe(token);

    const otherAudience = await service.mint(project, 'https://gitlab.com');
    const wrong = await runPlugin(ciArgs('gitlab:KUBE_ID_TOKEN'), {
      GITLAB_CI: 'true',
      KUBE_ID_TOKEN: otherAudience,
    });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toBe(
      'error: the CI token from gitlab:KUBE_ID_TOKEN is for audience "https://gitlab.com", not "rig-cluster"\n' +
        "hint: make the token's audience and --ci-token-audience the same as the cluster's AuthenticationConfiguration audiences: in .gitlab-ci.yml, id_tokens: KUBE_ID_TOKEN: aud: <the audience>\n",
    );

    const expired = await service.mint(project, audience, { ttlSec: -5 });
    const late = await runPlugin(ciArgs('gitlab:KUBE_ID_TOKEN'), {
      GITLAB_CI: 'true',
      KUBE_ID_TOKEN: expired,
    });
    expect(late.code).toBe(4);
    expect(late.stderr).toMatch(
      /^error: the CI token from gitlab:KUBE_ID_TOKEN expired at \S+Z\nhint: GitLab's id_tokens .+\n$/,
    );

    const unset = await runPlugin(ciArgs('gitlab:KUBE_ID_TOKEN'), { GITLAB_CI: 'true' });
    expect(unset.code).toBe(2);
    expect(unset.stderr).toBe(
      'error: the GitLab job has no KUBE_ID_TOKEN variable\n' +
        'hint: declare it in .gitlab-ci.yml under the job: id_tokens: KUBE_ID_TOKEN: aud: <the audience>\n',
    );
    const notJwt = await runPlugin(ciArgs('gitlab:KUBE_ID_TOKEN'), {
      GITLAB_CI: 'true',
      KUBE_ID_TOKEN: 'glpat-abcdef',
    });
    expect(notJwt.code).toBe(2);
    expect(notJwt.stderr).toMatch(/^error: the CI token from gitlab:KUBE_ID_TOKEN is not a JWT\n/);
    expect(notJwt.stderr).not.toContain('glpat-abcdef');
    for (const result of [ok, wrong, late]) expect(result.stderr).not.toContain('eyJ');
  });

  it('a token file (projected service-account token): read on a miss, a missing file is one line', async () => {
    const dir = tempDir('token');
    const path = join(dir, 'token');
    const missing = await runPlugin(ciArgs(`file:${path}`));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      new RegExp(`^error: the CI token file ${path} does not exist\\nhint: .+serviceAccountToken.+\\n$`),
    );

    const token = await service.mint(
      { kind: 'kubernetes', namespace: 'ci', serviceAccount: 'deployer' },
      audience,
    );
    writeFileSync(path, `${token}\n`);
    const ok = await runPlugin(ciArgs(`file:${path}`), { KUBERNETES_EXEC_INFO: v1 });
    expect(ok.code, ok.stderr).toBe(0);
    expect(parseCredential(ok.stdout).token).toBe(token);
    // The entry is an ordinary cache entry, found by status.
    const status = await runPlugin(['status', `--token-cache-dir=${cacheDir}`]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('system:serviceaccount:ci:deployer');
    expect(existsSync(cacheDir)).toBe(true);
    const entryFile = readdirSync(cacheDir).find((name) => name.endsWith('.json')) as string;
    expect(JSON.parse(readFileSync(join(cacheDir, entryFile), 'utf8'))).toMatchObject({
      issuer: `ci-token:file:${path}`,
      clientId: audience,
    });
  });

  it('a token file rewritten for the next job is a miss: the new identity, never the cached token of the previous job', async () => {
    const path = join(tempDir('token'), 'token');
    const first = await service.mint(
      { kind: 'kubernetes', namespace: 'ci', serviceAccount: 'job-a' },
      audience,
    );
    writeFileSync(path, `${first}\n`);
    const a = await runPlugin(ciArgs(`file:${path}`), { KUBERNETES_EXEC_INFO: v1 });
    expect(a.code, a.stderr).toBe(0);
    expect(decodeJwt(parseCredential(a.stdout).token).sub).toBe('system:serviceaccount:ci:job-a');
    // The runner writes the next job's token to the same path (the first one is still valid).
    const next = await service.mint(
      { kind: 'kubernetes', namespace: 'ci', serviceAccount: 'job-b' },
      audience,
    );
    writeFileSync(path, `${next}\n`);
    const b = await runPlugin(ciArgs(`file:${path}`), { KUBERNETES_EXEC_INFO: v1 });
    expect(b.code, b.stderr).toBe(0);
    expect(decodeJwt(parseCredential(b.stdout).token).sub).toBe('system:serviceaccount:ci:job-b');
    // The same content again is a hit.
    const again = await runPlugin(ciArgs(`file:${path}`, ['-v=1']), { KUBERNETES_EXEC_INFO: v1 });
    expect(decodeJwt(parseCredential(again.stdout).token).sub).toBe('system:serviceaccount:ci:job-b');
    expect(again.stderr).toContain('using the cached token');
  });

  it('needs a source and an audience', async () => {
    const noSource = await runPlugin([
      'get-token',
      '--grant-type=ci-token',
      `--ci-token-audience=${audience}`,
    ]);
    expect(noSource.code).toBe(2);
    expect(noSource.stderr).toContain('error: --grant-type=ci-token needs --ci-token-source\n');
    const badSource = await runPlugin([
      'get-token',
      '--grant-type=ci-token',
      '--ci-token-source=jenkins',
      `--ci-token-audience=${audience}`,
    ]);
    expect(badSource.code).toBe(2);
    expect(badSource.stderr).toContain(
      'error: --ci-token-source must be github-actions, gitlab:<ENV_VAR> or file:<path>, not "jenkins"\n',
    );
    const noAudience = await runPlugin([
      'get-token',
      '--grant-type=ci-token',
      '--ci-token-source=github-actions',
    ]);
    expect(noAudience.code).toBe(2);
    expect(noAudience.stderr).toContain('error: --grant-type=ci-token needs --ci-token-audience\n');
  });
});
