/**
 * How requests reach the provider when the network needs more than Node's fetch gives: a proxy (Node 20's fetch
 * ignores HTTPS_PROXY/HTTP_PROXY/NO_PROXY), a private CA (--certificate-authority[-data]), or no certificate check
 * at all (--insecure-skip-tls-verify). undici is required synchronously and only then: it is a large module that
 * neither the cache hit nor an ordinary login needs.
 */

import { AppError } from '../app-error.js';
import type { Logger } from '../core/ports.js';
import { requireNative } from '../platform/native-require.js';

export interface TransportOptions {
  /** PEM certificates trusted instead of the system's (src/platform/certificate-authorities.ts). */
  readonly certificateAuthorities: readonly string[];
  readonly insecureSkipTlsVerify: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

const proxyVariables = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];

export function proxyConfigured(env: Readonly<Record<string, string | undefined>>): boolean {
  const configured = proxyVariables.filter((name) => Boolean(env[name]));
  for (const name of configured) requireProxyUrl(name, env[name] as string);
  return configured.length > 0;
}

/** undici would fail on the first request with a bare TypeError; say which variable is wrong instead. */
function requireProxyUrl(name: string, value: string): void {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (url && (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname) return;
  throw new AppError('usage.proxy', `${name}="${value}" is not a proxy URL`, {
    hint: `write it as http://HOST:PORT (or unset ${name})`,
  });
}

/** undefined when Node's own fetch will do. */
export function createTransport(options: TransportOptions, logger: Logger): Fetch | undefined {
  const proxy = proxyConfigured(options.env);
  if (!proxy && options.certificateAuthorities.length === 0 && !options.insecureSkipTlsVerify)
    return undefined;
  if (options.insecureSkipTlsVerify) {
    logger.warn(
      "--insecure-skip-tls-verify: the identity provider's certificate is not checked; anyone on the network path can impersonate it",
    );
  }
  const undici = loadUndici();
  const tls = providerTls(options);
  const dispatcher = createDispatcher(tls, options.env);
  logger.debug(
    1,
    `provider requests go through ${proxy ? 'the proxy from the environment' : 'a direct connection'}${tls.ca ? ', trusting the given CA' : ''}`,
  );
  return (url, init) =>
    undici.fetch(url, { ...(init as object), dispatcher } as never) as unknown as Promise<Response>;
}

/**
 * The TLS settings for the provider. Given CAs replace the system roots, as int128/kubelogin builds a new pool from
 * them and kubectl does with a cluster's certificate-authority: a kubeconfig that pins a private CA trusts only it.
 */
export function providerTls(
  options: Pick<TransportOptions, 'certificateAuthorities' | 'insecureSkipTlsVerify'>,
): { ca: string[] | undefined; rejectUnauthorized: boolean } {
  return {
    ca: options.certificateAuthorities.length > 0 ? [...options.certificateAuthorities] : undefined,
    rejectUnauthorized: !options.insecureSkipTlsVerify,
  };
}

export function loadUndici(): typeof import('undici') {
  return requireNative('undici') as typeof import('undici');
}

/**
 * The undici dispatcher for a server with these TLS options: through `proxyUrl` when given (a kubeconfig's
 * proxy-url), else through the proxy of the environment, else direct. EnvHttpProxyAgent reads HTTP(S)_PROXY and
 * NO_PROXY (either case) itself; `requestTls` is the TLS to the server through a proxy tunnel, `connect` the TLS of
 * direct connections.
 */
export function createDispatcher(
  tls: import('undici').buildConnector.BuildOptions,
  env: Readonly<Record<string, string | undefined>>,
  proxyUrl?: string,
): import('undici').Dispatcher {
  const undici = loadUndici();
  if (proxyUrl) return new undici.ProxyAgent({ uri: proxyUrl, requestTls: tls });
  return proxyConfigured(env)
    ? new undici.EnvHttpProxyAgent({ connect: tls, requestTls: tls })
    : new undici.Agent({ connect: tls });
}
