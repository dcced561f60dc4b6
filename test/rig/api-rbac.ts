/**
 * The test API server's authorizer: enough of Kubernetes RBAC to tell "authenticated but not allowed" (403) from
 * "allowed", the way a fresh cluster does. Every authenticated user may ask who it is and what it may do
 * (system:basic-user) and read /version (system:public-info-viewer); `system:masters` may do anything; everything
 * else needs a ClusterRoleBinding to one of the default cluster roles, created like on a real cluster with
 * `kubectl create clusterrolebinding`.
 */
import type { UserInfo } from './api-authn.js';

export interface RequestAttributes {
  readonly verb: string;
  /** '' for the core group. */
  readonly apiGroup: string;
  readonly resource: string;
  readonly namespace: string | undefined;
}

export interface ClusterRoleBinding {
  readonly metadata: { readonly name: string };
  readonly roleRef: { readonly apiGroup: string; readonly kind: string; readonly name: string };
  readonly subjects?: readonly { readonly kind: string; readonly name: string; readonly apiGroup?: string }[];
}

const readVerbs = ['get', 'list', 'watch'];
const selfReviews = ['selfsubjectreviews', 'selfsubjectaccessreviews', 'selfsubjectrulesreviews'];

/** The default cluster roles, reduced to what the rig serves. */
function roleAllows(role: string, request: RequestAttributes): boolean {
  const isRbac = request.apiGroup === 'rbac.authorization.k8s.io';
  switch (role) {
    case 'cluster-admin':
      return true;
    case 'admin':
    case 'edit':
      return request.namespace !== undefined && !isRbac;
    case 'view':
      return readVerbs.includes(request.verb) && !isRbac && request.resource !== 'secrets';
    default:
      return false;
  }
}

export function authorize(
  user: UserInfo,
  request: RequestAttributes,
  bindings: readonly ClusterRoleBinding[],
): boolean {
  if (user.groups.includes('system:masters')) return true;
  if (request.verb === 'create' && selfReviews.includes(request.resource)) return true;
  return bindings.some(
    (binding) =>
      binding.roleRef.kind === 'ClusterRole' &&
      roleAllows(binding.roleRef.name, request) &&
      (binding.subjects ?? []).some(
        (subject) =>
          (subject.kind === 'User' && subject.name === user.username) ||
          (subject.kind === 'Group' && user.groups.includes(subject.name)),
      ),
  );
}

/** The message kube-apiserver gives with a 403. */
export function forbiddenMessage(user: UserInfo, request: RequestAttributes): string {
  const scope =
    request.namespace === undefined ? 'at the cluster scope' : `in the namespace "${request.namespace}"`;
  return `${request.resource}${request.apiGroup ? `.${request.apiGroup}` : ''} is forbidden: User "${user.username}" cannot ${request.verb} resource "${request.resource}" in API group "${request.apiGroup}" ${scope}`;
}

/** Request attributes of a resource path, as kube-apiserver's request info resolver derives them. */
export function attributesOf(
  method: string,
  path: string,
  query: URLSearchParams,
): RequestAttributes | undefined {
  const parts = path.split('/').filter(Boolean);
  let rest: string[];
  let apiGroup: string;
  if (parts[0] === 'api' && parts.length >= 3) {
    apiGroup = '';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    apiGroup = parts[1] as string;
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name] = rest;
  if (!resource) return undefined;
  const verb =
    method === 'GET'
      ? query.get('watch') === 'true'
        ? 'watch'
        : name
          ? 'get'
          : 'list'
      : ({ POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' } as Record<string, string>)[
          method
        ];
  if (!verb) return undefined;
  return { verb, apiGroup, resource, namespace };
}
