/**
 * A small HTTPS stand-in for kube-apiserver's OIDC authenticator: a bearer token is accepted only if it verifies
 * against the provider's JWKS with the configured issuer and audience; the user is mapped as kube-apiserver does
 * (`email` claim as is, any other claim as `<issuer>#<value>`). Answers `kubectl get --raw /version` and
 * `kubectl auth whoami` (SelfSubjectReview), and 401 otherwise. kubectl never sends a bearer token over plain http,
 * hence HTTPS with a self-signed certificate made by openssl.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';

export interface ApiServerOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly usernameClaim?: string;
  readonly groupsClaim?: string;
}

export interface ApiServer {
  readonly url: string;
  readonly caPem: string;
  /** Usernames of the requests that authenticated, in order. */
  readonly authenticated: string[];
  /** Reasons of the requests that were refused. */
  readonly refused: string[];
  close(): Promise<void>;
}

export function makeSelfSignedCert(host = '127.0.0.1'): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rig-cert-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${host}`,
      '-addext',
      `subjectAltName=${host === 'localhost' ? 'DNS:localhost' : `IP:${host}`}`,
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  return {
    cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    key: readFileSync(join(dir, 'key.pem'), 'utf8'),
  };
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { cert, key } = makeSelfSignedCert();
  const discovery = (await (await fetch(`${options.issuer}/.well-known/openid-configuration`)).json()) as {
    jwks_uri: string;
  };
  const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
  const usernameClaim = options.usernameClaim ?? 'email';
  const groupsClaim = options.groupsClaim ?? 'groups';
  const authenticated: string[] = [];
  const refused: string[] = [];

  const authenticate = async (header: string | undefined) => {
    const token = /^Bearer (.+)$/.exec(header ?? '')?.[1];
    if (!token) throw new Error('no bearer token');
    const { payload } = await jwtVerify(token, jwks, { issuer: options.issuer, audience: options.audience });
    const value = payload[usernameClaim];
    if (typeof value !== 'string') throw new Error(`claim ${usernameClaim} missing`);
    const username = usernameClaim === 'email' ? value : `${options.issuer}#${value}`;
    const groups = Array.isArray(payload[groupsClaim]) ? (payload[groupsClaim] as string[]) : [];
    return { username, groups: [...groups, 'system:authenticated'] };
  };

  const server: Server = createServer({ cert, key }, (req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    // The request body (a SelfSubjectReview with no fields) carries nothing the answer depends on.
    req.resume();
    req.on('end', () => {
      authenticate(req.headers.authorization).then(
        (user) => {
          authenticated.push(user.username);
          const path = (req.url ?? '/').split('?')[0] as string;
          if (path === '/version') {
            send(200, { major: '1', minor: '32', gitVersion: 'v1.32.0-rig', platform: 'linux/amd64' });
            return;
          }
          const review = /^\/apis\/authentication\.k8s\.io\/(v1|v1beta1|v1alpha1)\/selfsubjectreviews$/.exec(
            path,
          );
          if (review && req.method === 'POST') {
            send(201, {
              kind: 'SelfSubjectReview',
              apiVersion: `authentication.k8s.io/${review[1]}`,
              metadata: { creationTimestamp: null },
              status: { userInfo: { username: user.username, groups: user.groups } },
            });
            return;
          }
          send(404, {
            kind: 'Status',
            apiVersion: 'v1',
            status: 'Failure',
            reason: 'NotFound',
            code: 404,
            message: `${path} not found`,
          });
        },
        (error: unknown) => {
          refused.push((error as Error).message);
          send(401, {
            kind: 'Status',
            apiVersion: 'v1',
            status: 'Failure',
            message: 'Unauthorized',
            reason: 'Unauthorized',
            code: 401,
          });
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    caPem: cert,
    authenticated,
    refused,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
