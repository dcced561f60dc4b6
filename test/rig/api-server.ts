/**
 * A small HTTPS stand-in for kube-apiserver: bearer tokens are authenticated by JWT authenticators configured from
 * the legacy `--oidc-*` values or from an AuthenticationConfiguration text (./api-authn.ts), or as the rig's admin
 * (a static token in system:masters, like a cluster's first admin); requests are authorized by a small RBAC model
 * (./api-rbac.ts). It answers `/version`, SelfSubjectReview (`kubectl auth whoami`), SelfSubjectAccessReview
 * (`kubectl auth can-i`), pods (always none) and ClusterRoleBindings (`kubectl create clusterrolebinding`), with
 * kube-apiserver's 401 and 403 statuses. kubectl never sends a bearer token over plain http, hence HTTPS with a
 * self-signed certificate made by openssl.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  createJwtAuthenticator,
  fromAuthenticationConfiguration,
  fromLegacyFlags,
  type UserInfo,
} from './api-authn.js';
import { attributesOf, authorize, type ClusterRoleBinding, forbiddenMessage } from './api-rbac.js';
import { decodeClusterRoleBinding } from './k8s-protobuf.js';
import { makeSelfSignedCert } from './tls.js';

export type ApiServerOptions =
  /** The legacy flags; the rig's username claim defaults to email (kube-apiserver's to sub). */
  (
    | {
        readonly issuer: string;
        readonly audience: string;
        readonly usernameClaim?: string;
        readonly groupsClaim?: string;
      }
    /** The text of an AuthenticationConfiguration, as given to --authentication-config. */
    | { readonly authenticationConfiguration: string }
  ) & {
    /** authentication.k8s.io versions serving SelfSubjectReview (default all; [] = before Kubernetes 1.27). */
    readonly selfSubjectReviewVersions?: readonly string[];
  };

export interface ApiServer {
  readonly url: string;
  readonly caPem: string;
  /** A static token of the rig's admin (group system:masters). */
  readonly adminToken: string;
  /** Usernames of the requests that authenticated, in order. */
  readonly authenticated: string[];
  /** The bearer tokens of those requests, in the same order (tests wait for their expiry). */
  readonly bearerTokens: string[];
  /** Reasons of the requests that were refused (401). */
  readonly refused: string[];
  /** Messages of the requests that were forbidden (403). */
  readonly forbidden: string[];
  readonly clusterRoleBindings: ClusterRoleBinding[];
  close(): Promise<void>;
}

/** The discovery documents of what the rig serves: pods, and the RBAC kinds of `kubectl create clusterrolebinding`. */
const discovery: Readonly<Record<string, unknown>> = {
  '/api': { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] },
  '/api/v1': {
    kind: 'APIResourceList',
    groupVersion: 'v1',
    resources: [
      {
        name: 'pods',
        singularName: 'pod',
        namespaced: true,
        kind: 'Pod',
        verbs: ['get', 'list'],
        shortNames: ['po'],
      },
    ],
  },
  '/apis': {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [
      {
        name: 'rbac.authorization.k8s.io',
        versions: [{ groupVersion: 'rbac.authorization.k8s.io/v1', version: 'v1' }],
        preferredVersion: { groupVersion: 'rbac.authorization.k8s.io/v1', version: 'v1' },
      },
    ],
  },
  '/apis/rbac.authorization.k8s.io/v1': {
    kind: 'APIResourceList',
    groupVersion: 'rbac.authorization.k8s.io/v1',
    resources: [
      {
        name: 'clusterrolebindings',
        singularName: 'clusterrolebinding',
        namespaced: false,
        kind: 'ClusterRoleBinding',
        verbs: ['create', 'list'],
      },
    ],
  },
};

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { cert, key } = makeSelfSignedCert();
  const verifyJwt = createJwtAuthenticator(
    'authenticationConfiguration' in options
      ? fromAuthenticationConfiguration(options.authenticationConfiguration)
      : [
          fromLegacyFlags({
            issuer: options.issuer,
            clientId: options.audience,
            usernameClaim: options.usernameClaim ?? 'email',
            groupsClaim: options.groupsClaim ?? 'groups',
          }),
        ],
  );
  const adminToken = randomBytes(24).toString('hex');
  const authenticated: string[] = [];
  const bearerTokens: string[] = [];
  const refused: string[] = [];
  const forbidden: string[] = [];
  const clusterRoleBindings: ClusterRoleBinding[] = [];

  const authenticate = async (header: string | undefined): Promise<UserInfo> => {
    const token = /^Bearer (.+)$/.exec(header ?? '')?.[1];
    if (!token) throw new Error('no bearer token');
    if (token === adminToken)
      return { username: 'rig-admin', groups: ['system:masters', 'system:authenticated'] };
    return verifyJwt(token);
  };

  const server: Server = createServer({ cert, key }, (req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const status = (code: number, reason: string, message: string) =>
      send(code, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message,
        reason,
        code,
      });
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      authenticate(req.headers.authorization).then(
        (user) => {
          authenticated.push(user.username);
          bearerTokens.push(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
          const url = new URL(req.url ?? '/', 'https://rig');
          // kubectl sends typed objects as protobuf (./k8s-protobuf.ts); JSON bodies are parsed here.
          const body = /json/.test(req.headers['content-type'] ?? '')
            ? JSON.parse(Buffer.concat(chunks).toString('utf8'))
            : undefined;
          if (url.pathname === '/version') {
            send(200, { major: '1', minor: '32', gitVersion: 'v1.32.0-rig', platform: 'linux/amd64' });
            return;
          }
          // What `kubectl get pods` discovers first (the legacy form, which every kubectl accepts).
          const discovered = discovery[url.pathname];
          if (discovered) {
            send(200, discovered);
            return;
          }
          const attributes = attributesOf(req.method ?? 'GET', url.pathname, url.searchParams);
          if (!attributes) {
            status(404, 'NotFound', `${url.pathname} not found`);
            return;
          }
          if (!authorize(user, attributes, clusterRoleBindings)) {
            const message = forbiddenMessage(user, attributes);
            forbidden.push(message);
            status(403, 'Forbidden', message);
            return;
          }
          const version = url.pathname.split('/')[3];
          switch (`${attributes.verb} ${attributes.apiGroup}/${attributes.resource}`) {
            case 'create authentication.k8s.io/selfsubjectreviews':
              if (
                !(options.selfSubjectReviewVersions ?? ['v1', 'v1beta1', 'v1alpha1']).includes(version ?? '')
              ) {
                status(404, 'NotFound', 'the server could not find the requested resource');
                return;
              }
              send(201, {
                kind: 'SelfSubjectReview',
                apiVersion: `authentication.k8s.io/${version}`,
                metadata: { creationTimestamp: null },
                status: { userInfo: { username: user.username, groups: user.groups } },
              });
              return;
            case 'create authorization.k8s.io/selfsubjectaccessreviews': {
              const asked = body?.spec?.resourceAttributes ?? {};
              const allowed = authorize(
                user,
                {
                  verb: asked.verb ?? '',
                  apiGroup: asked.group ?? '',
                  resource: asked.resource ?? '',
                  namespace: asked.namespace || undefined,
                },
                clusterRoleBindings,
              );
              send(201, { ...body, metadata: { creationTimestamp: null }, status: { allowed } });
              return;
            }
            case 'list /pods':
              send(200, { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: [] });
              return;
            case 'create rbac.authorization.k8s.io/clusterrolebindings': {
              const binding =
                (body as ClusterRoleBinding | undefined) ?? decodeClusterRoleBinding(Buffer.concat(chunks));
              if (clusterRoleBindings.some((existing) => existing.metadata.name === binding.metadata.name)) {
                status(409, 'AlreadyExists', `clusterrolebindings "${binding.metadata.name}" already exists`);
                return;
              }
              clusterRoleBindings.push(binding);
              send(201, binding);
              return;
            }
            case 'list rbac.authorization.k8s.io/clusterrolebindings':
              send(200, {
                kind: 'ClusterRoleBindingList',
                apiVersion: 'rbac.authorization.k8s.io/v1',
                metadata: {},
                items: clusterRoleBindings,
              });
              return;
            default:
              status(404, 'NotFound', `${url.pathname} not found`);
          }
        },
        (error: unknown) => {
          refused.push((error as Error).message);
          status(401, 'Unauthorized', 'Unauthorized');
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    caPem: cert,
    adminToken,
    authenticated,
    bearerTokens,
    refused,
    forbidden,
    clusterRoleBindings,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The `clusters:` section of a kubeconfig with this server as the cluster `rig`, trusting its certificate. */
export function rigClusterSection(api: ApiServer): string[] {
  return [
    'clusters:',
    '- name: rig # the test cluster',
    '  cluster:',
    `    server: ${api.url}`,
    `    certificate-authority-data: ${Buffer.from(api.caPem).toString('base64')}`,
  ];
}

/** A kubeconfig with the cluster `rig` and the rig's admin as the current context, as a new cluster's admin has. */
export function rigAdminKubeconfigText(api: ApiServer): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    ...rigClusterSection(api),
    'users:',
    '- name: rig-admin',
    '  user:',
    `    token: ${api.adminToken}`,
    'contexts:',
    '- name: rig-admin',
    '  context: {cluster: rig, user: rig-admin}',
    'current-context: rig-admin',
    '',
  ].join('\n');
}
