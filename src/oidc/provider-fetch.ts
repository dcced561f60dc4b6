/**
 * The fetch behind every request openid-client makes to the provider: the --oidc-auth-request-extra-headers, a
 * proxy or private CA (./transport.ts), responses capped (./response-cap.ts), retried idempotent GETs and device-code
 * polls, and the tweaks for providers and libraries that do not quite agree.
 */
import type * as client from 'openid-client';
import type { Logger } from '../core/ports.js';
import { skewFromDateHeader } from './clock-skew.js';
import { deviceCodeGrant } from './grant-refusal.js';
import { capResponse } from './response-cap.js';
import type { Fetch } from './transport.js';

/** Request and response adjustments for providers and libraries that do not quite agree. */
export interface FetchTweaks {
  /**
   * openid-client normalises the redirect_uri of the code exchange; providers compare it byte for byte. `null`: the
   * authorization request had none, so the exchange sends none either (RFC 6749 §4.1.3).
   */
  exactRedirectUri: string | null | undefined;
  /** Google answers `verification_url` where RFC 8628 (and openid-client) expect `verification_uri`. */
  deviceAuthorizationEndpoint: string | undefined;
  /** How far our clock is ahead of the provider's, from the Date header of its last answer (./clock-skew.ts). */
  clockSkewSec: number | undefined;
}

export interface ProviderFetchOptions {
  readonly requestHeaders: Readonly<Record<string, string>>;
  /** A fetch for proxies and custom CAs (./transport.ts); Node's fetch when undefined. */
  readonly transport: Fetch | undefined;
  readonly logger: Logger;
}

export function noFetchTweaks(): FetchTweaks {
  return { exactRedirectUri: undefined, deviceAuthorizationEndpoint: undefined, clockSkewSec: undefined };
}

/** fetch for every provider request: extra headers, and the tweaks above. */
export function providerFetch(options: ProviderFetchOptions, tweaks: FetchTweaks): client.CustomFetch {
  return async (url, init) => {
    const headers = new Headers(init.headers);
    for (const [name, value] of Object.entries(options.requestHeaders)) headers.set(name, value);
    let body = init.body;
    if (
      tweaks.exactRedirectUri !== undefined &&
      body instanceof URLSearchParams &&
      body.has('redirect_uri')
    ) {
      body = new URLSearchParams(body);
      if (tweaks.exactRedirectUri === null) body.delete('redirect_uri');
      else body.set('redirect_uri', tweaks.exactRedirectUri);
    }
    options.logger.debug(2, `${init.method} ${redactQuery(url)}`);
    const send = (target: string) =>
      (options.transport ?? fetch)(target, { ...init, headers, body } as RequestInit);
    const response = await capResponse(
      init.method === 'GET'
        ? await getFollowingSameOrigin(url, send, init.signal, options.logger)
        : isDeviceCodePoll(body)
          ? await withOneResend(() => send(url), init.signal, options.logger)
          : await send(url),
      url,
    );
    tweaks.clockSkewSec = skewFromDateHeader(response.headers.get('date'), Date.now()) ?? tweaks.clockSkewSec;
    return tweaks.deviceAuthorizationEndpoint && new URL(url).href === tweaks.deviceAuthorizationEndpoint
      ? withVerificationUri(response)
      : response;
  };
}

/** How many redirects within the provider's origin a GET follows: a loop ends here. */
const maxRedirects = 5;

/**
 * A GET (discovery, JWKS), retried, and following redirects within the same origin, as Go clients (kube-apiserver,
 * int128) follow them: a provider that answers `/.well-known/openid-configuration` with 301 to the same path plus
 * `/` (a common Django deployment) still works; the exact issuer check of the document still protects. openid-client
 * asks for no redirects; one to another origin comes back to it as it is, and src/oidc/translate-error.ts names its status
 * and Location.
 */
async function getFollowingSameOrigin(
  url: string,
  send: (target: string) => Promise<Response>,
  signal: AbortSignal | null | undefined,
  logger: Logger,
): Promise<Response> {
  let target = url;
  let response = await withRetries(() => send(target), signal, logger);
  for (let hop = 0; hop < maxRedirects; hop++) {
    const next = sameOriginLocation(target, response);
    if (next === undefined) break;
    logger.debug(
      1,
      `${redactQuery(target)} redirects (HTTP ${response.status}) to ${redactQuery(next)}: followed`,
    );
    await response.body?.cancel().catch(() => undefined);
    target = next;
    response = await withRetries(() => send(target), signal, logger);
  }
  return response;
}

/** The redirect's target when the response is a redirect within the origin of `from`. */
function sameOriginLocation(from: string, response: Response): string | undefined {
  const location = response.headers.get('location');
  if (response.status < 300 || response.status >= 400 || !location || !URL.canParse(location, from))
    return undefined;
  const next = new URL(location, from);
  return next.origin === new URL(from).origin ? next.href : undefined;
}

/**
 * Discovery and JWKS are idempotent GETs: a network error or a 5xx gets two more tries, 250 ms and 750 ms later,
 * within the request's timeout. POSTs (token requests) are never repeated, a refresh token may be used up; only a
 * device-code poll is (withOneResend).
 */
async function withRetries(
  send: () => Promise<Response>,
  signal: AbortSignal | null | undefined,
  logger: Logger,
): Promise<Response> {
  for (const delayMs of [250, 750]) {
    try {
      const response = await send();
      if (response.status < 500) return response;
      logger.debug(1, `the provider answered HTTP ${response.status}; retrying in ${delayMs} ms`);
    } catch (error) {
      if (signal?.aborted) throw error;
      logger.debug(1, `request failed (${(error as Error).message}); retrying in ${delayMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (signal?.aborted) break;
  }
  return send();
}

function isDeviceCodePoll(body: RequestInit['body']): boolean {
  return body instanceof URLSearchParams && body.get('grant_type') === deviceCodeGrant;
}

/**
 * A device-code poll is sent once more at once when it failed before any answer. Polls are idempotent by the
 * protocol (RFC 8628: the same device code, asked again until the user is done), and one is often sent on a pooled
 * keep-alive connection that has sat idle for the whole interval: one the provider closed meanwhile (Node's servers
 * do after 5 s; the interval after slow_down is 6 s or more) can meet a reset (ECONNRESET) where the client does
 * not notice the close in time (the likely cause of one failed slow_down test of the Bun executable). Once only:
 * a provider that is really down is not hidden.
 */
async function withOneResend(
  send: () => Promise<Response>,
  signal: AbortSignal | null | undefined,
  logger: Logger,
): Promise<Response> {
  try {
    return await send();
  } catch (error) {
    if (signal?.aborted) throw error;
    logger.debug(
      1,
      `the device-code poll failed before any answer (${(error as Error).message}); sending it once more`,
    );
    return send();
  }
}

async function withVerificationUri(response: Response): Promise<Response> {
  if (!response.ok || !response.headers.get('content-type')?.includes('json')) return response;
  const document = (await response.json()) as Record<string, unknown>;
  if (document.verification_uri === undefined && typeof document.verification_url === 'string') {
    document.verification_uri = document.verification_url;
  }
  return new Response(JSON.stringify(document), { status: response.status, headers: response.headers });
}

function redactQuery(url: string): string {
  const at = url.indexOf('?');
  return at < 0 ? url : `${url.slice(0, at)}?…`;
}
