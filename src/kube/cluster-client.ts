/**
 * The two questions `setup` asks a cluster with the token it just obtained, as `kubectl auth
 * whoami` and `kubectl auth can-i` ask them: who am I (SelfSubjectReview) and may I list pods here
 * (SelfSubjectAccessReview). Every authenticated user may ask both, so the answers separate authentication (401)
 * from authorization. The token goes in a header to the context's server only, trusting its CA the way kubectl does
 * (certificate-authority replaces the system CAs). undici is required here, on the setup path only.
 */
import { readFileSync } from 'node:fs';
import { createDispatcher, loadUndici } from '../oidc/transport.js';
import type { ClusterConnection } from './kubeconfig-read.js';

export interface ClusterAnswer {
  readonly status: number;
  readonly body: unknown;
  /** The API server's clock (its Date header), seconds since the epoch. */
  readonly serverTimeSec: number | undefined;
}

export interface ClusterApi {
  /** SelfSubjectReview, newest API version first (authentication.k8s.io/v1 from 1.28, v1beta1 in 1.27). */
  whoAmI(): Promise<ClusterAnswer>;
  canI(verb: string, resource: string, namespace: string): Promise<ClusterAnswer>;
}

export function connectCluster(
  connection: ClusterConnection,
  token: string,
  options: { timeoutMs: number; env: Readonly<Record<string, string | undefined>> },
): ClusterApi {
  const undici = loadUndici();
  const ca = connection.certificateAuthority;
  const tls = {
    ...(ca ? { ca: 'pem' in ca ? ca.pem : readFileSync(ca.file, 'utf8') } : {}),
    rejectUnauthorized: !connection.insecureSkipTlsVerify,
    ...(connection.tlsServerName ? { servername: connection.tlsServerName } : {}),
  };
  const dispatcher = createDispatcher(tls, options.env, connection.proxyUrl);
  const base = connection.server.replace(/\/+$/, '');

  const post = async (path: string, body: unknown): Promise<ClusterAnswer> => {
    const response = await undici.fetch(`${base}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify(body),
      dispatcher,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON (a proxy's error page): kept as text for the message
    }
    const date = Date.parse(response.headers.get('date') ?? '');
    return {
      status: response.status,
      body: parsed,
      serverTimeSec: Number.isNaN(date) ? undefined : Math.floor(date / 1000),
    };
  };

  return {
    async whoAmI() {
      let answer: ClusterAnswer | undefined;
      for (const version of ['v1', 'v1beta1', 'v1alpha1']) {
        answer = await post(`/apis/authentication.k8s.io/${version}/selfsubjectreviews`, {
          apiVersion: `authentication.k8s.io/${version}`,
          kind: 'SelfSubjectReview',
        });
        if (answer.status !== 404) return answer;
      }
      return answer as ClusterAnswer;
    },
    canI(verb, resource, namespace) {
      return post('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { verb, resource, namespace } },
      });
    },
  };
}
