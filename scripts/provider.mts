/**
 * npm run provider: the test rig's OpenID Provider, left running for trying the plugin by hand (the kubeconfig from
 * the README, a browser on this machine or the device flow from a phone on the same network is not needed: the
 * provider is on loopback). Prints the issuer, the clients, the users and a kubeconfig user entry; Ctrl-C stops it.
 *
 *   npm run provider                    # issuer http://127.0.0.1:9090
 *   npm run provider -- --port=9191     # another port
 *   npm run provider -- --id-token-ttl=60   # short-lived tokens, to watch refreshes
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pluginBin } from '../test/rig/build.js';
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
  options: { port: { type: 'string', default: '9090' }, 'id-token-ttl': { type: 'string', default: '600' } },
});
const port = Number(values.port);
const provider = await startProvider({
  port,
  idTokenTtlSec: Number(values['id-token-ttl']),
  deviceCodeTtlSec: 600,
});

const plugin = resolve(pluginBin);
const text = `OpenID Provider for manual trials (the test rig's oidc-provider), running until Ctrl-C.

  issuer      ${provider.issuer}
  clients     ${publicClientId}  (public, PKCE; browser, device code, password; redirect http://localhost:8000 and :18000)
              ${confidentialClientId}  secret ${confidentialClientSecret}
              ${robotClientId}  secret ${robotClientSecret}  (client credentials)
  users       ${defaultUsers.map((u) => `${u.id} (${u.email}, groups ${u.groups.join(',')})`).join('\n              ')}
  passwords   any password on the login page; '${rigPassword}' for --grant-type=password
  tokens      ID tokens valid ${values['id-token-ttl']} s; device codes 10 minutes

A kubeconfig user that runs the plugin built in this checkout (npm run build):

users:
- name: rig
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ${plugin}
      args:
      - get-token
      - --oidc-issuer-url=${provider.issuer}
      - --oidc-client-id=${publicClientId}
      - --oidc-extra-scope=email
      - --oidc-extra-scope=groups
      - --token-cache-dir=/tmp/together-login-trial
      # - --grant-type=device-code      # no browser here? a code to enter on any device
      interactiveMode: IfAvailable

Try it without a cluster (the ExecCredential goes to stdout, the messages to stderr):
  ${plugin} get-token --oidc-issuer-url=${provider.issuer} --oidc-client-id=${publicClientId} --token-cache-dir=/tmp/together-login-trial >/dev/null
Forget the trial tokens:  ${plugin} clean --token-cache-dir=/tmp/together-login-trial
`;
process.stdout.write(text);

const stop = async () => {
  await provider.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
