/**
 * A stand-in for a CI system's OIDC token service on 127.0.0.1, for --grant-type=ci-token: it signs job tokens with its
 * own RSA key, which its discovery document and JWKS serve, so the test API server verifies them as kube-apiserver
 * would verify GitHub's or GitLab's. Three ways to hand a job its token, as the real systems do:
 * - GitHub Actions: `githubJob()` gives the job's ACTIONS_ID_TOKEN_REQUEST_URL / _TOKEN; a GET of that URL with
 *   `&audience=…` and `Authorization: bearer <request token>` answers `{"count": …, "value": "<jwt>"}` (401 with a
 *   wrong request token, 400 without api-version, GitHub's default audience without `audience`);
 * - GitLab CI: `mint()` gives the token a pipeline's `id_tokens:` puts into a variable;
 * - a token file: `mint()` too, written by the test where a projected service-account token would be.
 * The claims follow each platform's documentation (GitHub: "About security hardening with OpenID Connect"; GitLab:
 * "OpenID Connect (OIDC) Authentication Using ID Tokens"); `sub` is the part kube-apiserver's username comes from.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

export type CiJob =
  | {
      readonly kind: 'github';
      /** owner/repo */
      readonly repository: string;
      /** e.g. refs/heads/main */
      readonly ref: string;
      /** A deployment environment: GitHub's sub then names it instead of the ref. */
      readonly environment?: string;
    }
  | {
      readonly kind: 'gitlab';
      readonly projectPath: string;
      readonly ref: string;
      readonly refType?: 'branch' | 'tag';
    }
  | { readonly kind: 'kubernetes'; readonly namespace: string; readonly serviceAccount: string };

export interface CiTokenRequest {
  readonly audience: string | undefined;
  readonly authorized: boolean;
}

export interface CiTokenService {
  readonly issuer: string;
  /** Token requests of the GitHub form, in order. */
  readonly requests: CiTokenRequest[];
  /** Registers a GitHub Actions job: the environment its runner gives the steps (permissions: id-token: write). */
  githubJob(job: CiJob & { kind: 'github' }): Record<string, string>;
  /** A signed token for this job and audience, as GitLab's id_tokens or a projected token file hold it. */
  mint(job: CiJob, audience: string, options?: { ttlSec?: number }): Promise<string>;
  close(): Promise<void>;
}

export async function startCiTokenService(options: { tokenTtlSec?: number } = {}): Promise<CiTokenService> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = `ci-${randomUUID()}`;
  const jwk = { ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'RS256' };
  const jobs = new Map<string, { requestToken: string; job: CiJob & { kind: 'github' } }>();
  const requests: CiTokenRequest[] = [];
  let issuer = '';

  const mint = (job: CiJob, audience: string, ttlSec = options.tokenTtlSec ?? 300) =>
    new SignJWT({ ...claimsOf(job), jti: randomUUID() })
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt()
      .setNotBefore('0s')
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSec)
      .sign(privateKey);

  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', issuer);
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (url.pathname === '/.well-known/openid-configuration')
      return json(200, {
        issuer,
        jwks_uri: `${issuer}/.well-known/jwks`,
        subject_types_supported: ['public', 'pairwise'],
        response_types_supported: ['id_token'],
        id_token_signing_alg_values_supported: ['RS256'],
        claims_supported: ['sub', 'aud', 'exp', 'iat', 'iss', 'repository', 'repository_owner', 'ref'],
        scopes_supported: ['openid'],
      });
    if (url.pathname === '/.well-known/jwks') return json(200, { keys: [jwk] });
    const match = /^\/_apis\/distributedtask\/hubs\/Actions\/plans\/[\w-]+\/jobs\/([\w-]+)\/idtoken$/.exec(
      url.pathname,
    );
    const registered = match ? jobs.get(match[1] as string) : undefined;
    if (!registered) return json(404, { message: 'Not Found' });
    const audience = url.searchParams.get('audience') ?? undefined;
    const authorized =
      request.headers.authorization?.toLowerCase() === `bearer ${registered.requestToken}`.toLowerCase();
    requests.push({ audience, authorized });
    if (!authorized) return json(401, { message: 'Unauthorized' });
    if (!url.searchParams.get('api-version')) return json(400, { message: 'api-version is required' });
    // Without an audience GitHub uses the URL of the repository owner.
    const owner = registered.job.repository.split('/')[0];
    mint(registered.job, audience ?? `https://github.com/${owner}`).then(
      (value) => json(200, { count: requests.length, value }),
      () => json(500, { message: 'signing failed' }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    issuer,
    requests,
    githubJob(job) {
      const jobId = randomUUID();
      const requestToken = randomBytes(24).toString('hex');
      jobs.set(jobId, { requestToken, job });
      return {
        GITHUB_ACTIONS: 'true',
        CI: 'true',
        GITHUB_REPOSITORY: job.repository,
        GITHUB_REF: job.ref,
        ACTIONS_ID_TOKEN_REQUEST_URL: `${issuer}/_apis/distributedtask/hubs/Actions/plans/${randomUUID()}/jobs/${jobId}/idtoken?api-version=2.0`,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken,
      };
    },
    mint: (job, audience, mintOptions) => mint(job, audience, mintOptions?.ttlSec),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function claimsOf(job: CiJob): Record<string, unknown> {
  switch (job.kind) {
    case 'github': {
      const [owner] = job.repository.split('/');
      return {
        sub: job.environment
          ? `repo:${job.repository}:environment:${job.environment}`
          : `repo:${job.repository}:ref:${job.ref}`,
        repository: job.repository,
        repository_owner: owner,
        repository_owner_id: '4242',
        ref: job.ref,
        ref_type: job.ref.startsWith('refs/tags/') ? 'tag' : 'branch',
        ...(job.environment ? { environment: job.environment } : {}),
        event_name: 'push',
        workflow: 'deploy',
        run_id: '1234567890',
        actor: 'octocat',
      };
    }
    case 'gitlab': {
      const refType = job.refType ?? 'branch';
      const namespace = job.projectPath.split('/').slice(0, -1).join('/');
      return {
        sub: `project_path:${job.projectPath}:ref_type:${refType}:ref:${job.ref}`,
        namespace_path: namespace,
        namespace_id: '77',
        project_path: job.projectPath,
        project_id: '88',
        ref: job.ref,
        ref_type: refType,
        ref_protected: 'true',
        pipeline_source: 'push',
        user_login: 'gitlab-user',
      };
    }
    case 'kubernetes':
      return {
        sub: `system:serviceaccount:${job.namespace}:${job.serviceAccount}`,
        'kubernetes.io': { namespace: job.namespace, serviceaccount: { name: job.serviceAccount } },
      };
  }
}
