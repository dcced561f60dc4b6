/**
 * npm run provider: a playground for trying the plugin by hand. The test rig's OpenID Provider and, beside it, the
 * rig's HTTPS stand-in for kube-apiserver (which trusts that provider and lets every user it knows read pods), with
 * a complete kubeconfig (cluster, context, user running this checkout's plugin) written to a file to export.
 * `kubectl get pods` then answers an empty list and `kubectl auth whoami` the demo user. Ctrl-C stops both.
 *
 *   npm run provider                          # issuer http://127.0.0.1:9090, kubeconfig in .test-out/playground
 *   npm run provider -- --port=9191           # another port
 *   npm run provider -- --id-token-ttl=60     # short-lived tokens, to watch refreshes
 *   npm run provider -- --provider-only       # no API server, no kubeconfig
 *   npm run provider -- --dir=/tmp/trial      # where the kubeconfig and the token cache go
 */
// First: silences oidc-provider's production warnings before its module loads.
import './quiet-provider.mjs';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type ApiServer, startApiServer } from '../test/rig/api-server.js';
import { browserDriverPath, buildRigExecutables, pluginBin, repoRoot } from '../test/rig/build.js';
import { writeKubeconfig } from '../test/rig/kubectl.js';
import {
  confidentialClientId,
  confidentialClientSecret,
  defaultUsers,
  publicClientId,
  rigPassword,
  robotClientId,
  robotClientSecret,
  startProvider,
} from '../test/rig/provider.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '9090' },
    'id-token-ttl': { type: 'string', default: '600' },
    'provider-only': { type: 'boolean', default: false },
    dir: { type: 'string', default: join(repoRoot, '.test-out', 'playground') },
  },
});
const dir = resolve(values.dir);
const cacheDir = join(dir, 'cache');
mkdirSync(dir, { recursive: true, mode: 0o700 });
// The form-filling "browser" of the tests: it approves a device code (or a browser login) as the demo user.
await buildRigExecutables();
const provider = await startProvider({
  port: Number(values.port),
  idTokenTtlSec: Number(values['id-token-ttl']),
  deviceCodeTtlSec: 600,
});

const plugin = resolve(pluginBin);
const pluginArgs = [
  `--oidc-issuer-url=${provider.issuer}`,
  `--oidc-client-id=${publicClientId}`,
  '--oidc-extra-scope=email',
  '--oidc-extra-scope=groups',
  `--token-cache-dir=${cacheDir}`,
];
let api: ApiServer | undefined;
const kubeconfig = join(dir, 'kubeconfig');
if (!values['provider-only']) {
  api = await startApiServer({ issuer: provider.issuer, audience: publicClientId });
  // Every user of the provider may read (an empty list of pods): the playground is about logging in, not RBAC.
  api.clusterRoleBindings.push({
    metadata: { name: 'playground-view' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
    subjects: [{ kind: 'Group', name: 'system:authenticated', apiGroup: 'rbac.authorization.k8s.io' }],
  });
  writeKubeconfig({
    path: kubeconfig,
    serverUrl: api.url,
    caPem: api.caPem,
    pluginCommand: plugin,
    pluginArgs,
  });
}

const clusterPart = api
  ? `A cluster (the rig's API server at ${api.url}, trusting this provider) and a kubeconfig for it:

  export KUBECONFIG=${kubeconfig}
  kubectl get pods            # logs in (browser, or a device code without a display), then: No resources found
  kubectl auth whoami         # alice@example.com, from the cached token

`
  : '';
const text = `OpenID Provider for manual trials (the test rig's oidc-provider), running until Ctrl-C.

  issuer      ${provider.issuer}
  clients     ${publicClientId}  (public, PKCE; browser, device code, password; redirect http://localhost:8000 and :18000)
              ${confidentialClientId}  secret ${confidentialClientSecret}
              ${robotClientId}  secret ${robotClientSecret}  (client credentials)
  users       ${defaultUsers.map((u) => `${u.id} (${u.email}, groups ${u.groups.join(',')})`).join('\n              ')}
  passwords   any password on the login page; '${rigPassword}' for --grant-type=password
  tokens      ID tokens valid ${values['id-token-ttl']} s; device codes 10 minutes

${clusterPart}No browser on this machine? The plugin prints a device-code URL; approve it as alice from another terminal:
  ${browserDriverPath} 'URL'

A kubeconfig user that runs the plugin built in this checkout (npm run build):

users:
- name: rig
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ${plugin}
      args:
      - get-token
${pluginArgs.map((arg) => `      - ${arg}`).join('\n')}
      # - --grant-type=device-code      # no browser here? a code to enter on any device
      interactiveMode: IfAvailable

Try it without a cluster (the ExecCredential goes to stdout, the messages to stderr):
  ${plugin} get-token ${pluginArgs.join(' ')} >/dev/null
Forget the trial tokens:  ${plugin} clean --token-cache-dir=${cacheDir}
`;
process.stdout.write(text);

const stop = async () => {
  await api?.close();
  await provider.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
