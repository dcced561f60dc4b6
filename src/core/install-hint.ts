/**
 * The `installHint` of every kubeconfig entry we write: what kubectl shows a user who does not have the plugin yet.
 * It must lead somewhere real. A release build (`npm run release -- --base-url=URL`) knows where its zips are
 * published and names that folder; any other build points at the README's Install section, which lists the
 * release zips, krew and the Node.js package. There is no package of this name on the npm registry.
 */
declare const __RELEASE_BASE_URL__: string | undefined;

const need = 'kubectl-together_login is needed to log in to this cluster';

export const installHint: string =
  typeof __RELEASE_BASE_URL__ === 'string' && __RELEASE_BASE_URL__
    ? `${need}: download kubectl-together_login_<os>_<arch>.zip for your system from ${__RELEASE_BASE_URL__}/, check it with its .sha256 file, unzip it and put kubectl-together_login on your PATH`
    : `${need}: install it as the "Install" section of its README says (release zip kubectl-together_login_<os>_<arch>.zip, krew, or the Node.js package)`;
