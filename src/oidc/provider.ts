/**
 * A provider as every step of a login or refresh sees it: openid-client's Configuration (discovered or cached, see
 * ./discovery.ts), the options it was made with, and how one request to it is made: repeated once with
 * client_secret_post when Basic was refused or with a secret held back once the provider asks for one
 * (./client-auth.ts), its failure translated into an AppError.
 */
import type * as client from 'openid-client';
import { AppError } from '../app-error.js';
import type { ProviderClientSettings } from '../core/get-token-input.js';
import {
  type ClientAuthState,
  clientAuthenticationFailed,
  retryWithPost,
  sendSecretIfAsked,
  withdrawSecretIfAsked,
} from './client-auth.js';
import { clockSkewError } from './clock-skew.js';
import type { FetchTweaks, ProviderFetchOptions } from './provider-fetch.js';
import { describeOAuthAnswer, type OidcStep, toAppError } from './translate-error.js';

export interface OidcClientOptions extends ProviderFetchOptions, ProviderClientSettings {
  /** Each request to the provider is abandoned after this many seconds. */
  readonly timeoutSec: number;
}

export interface ConfiguredProvider {
  readonly config: client.Configuration;
  readonly options: OidcClientOptions;
  /** Shared with the provider's fetch (./provider-fetch.ts): a step sets what its requests need adjusted. */
  readonly tweaks: FetchTweaks;
  /** When the discovery document was fetched from the provider. */
  readonly fetchedAt: number;
  readonly authState: ClientAuthState;
}

/** The scope of a user's login: always `openid`, and the extra scopes asked for. */
export function loginScope(options: OidcClientOptions): string {
  return [...new Set(['openid', ...options.extraScopes])].join(' ');
}

export async function providerRequest<T>(
  provider: ConfiguredProvider,
  step: OidcStep,
  work: () => Promise<T>,
): Promise<T> {
  try {
    const result = await withClientAuthRetries(provider, work);
    nameUnusedSecret(provider);
    return result;
  } catch (error) {
    const { authState, options, tweaks } = provider;
    if (!authState.secret && clientAuthenticationFailed(error)) throw secretMissing(error, options);
    const skewed = clockSkewError(error, tweaks.clockSkewSec);
    if (skewed) throw skewed;
    throw toAppError(error, step, options.issuerUrl);
  }
}

/**
 * One request, repeated when the client's authentication was the problem and another way may pass: with
 * client_secret_post after a refused Basic, or with the secret held back once the provider asks for one. Each retry
 * happens at most once per client (the state remembers), so this ends after three requests at most.
 */
async function withClientAuthRetries<T>(provider: ConfiguredProvider, work: () => Promise<T>): Promise<T> {
  const { authState, options, config } = provider;
  try {
    return await work();
  } catch (error) {
    const advertised = config.serverMetadata().token_endpoint_auth_methods_supported;
    if (retryWithPost(error, advertised, authState)) {
      options.logger.debug(
        1,
        'the provider refused HTTP Basic client authentication: retrying with client_secret_post',
      );
      return await work();
    }
    if (!sendSecretIfAsked(error, authState)) throw error;
    options.logger.info(
      `The identity provider asks this client to authenticate (${describeOAuthAnswer(error)}): sending OIDC_CLIENT_SECRET and trying again.`,
    );
    try {
      return await withClientAuthRetries(provider, work);
    } catch (retryError) {
      // The secret was refused after an answer that did not plainly ask for one (a refused refresh token, a grant
      // the client lacks): the client takes no secret, so the first answer is the one to act on.
      if (clientAuthenticationFailed(retryError) && !clientAuthenticationFailed(error)) {
        withdrawSecretIfAsked(authState);
        throw error;
      }
      throw retryError;
    }
  }
}

/** -v=1, once: OIDC_CLIENT_SECRET was set under an explicit S256 and the provider never asked for it. */
function nameUnusedSecret(provider: ConfiguredProvider): void {
  const { authState, options } = provider;
  if (!authState.secretIfAsked || authState.secret || authState.unusedNamed) return;
  authState.unusedNamed = true;
  options.logger.debug(
    1,
    'OIDC_CLIENT_SECRET is set but was not sent: under --oidc-pkce-method=S256 it goes only to a provider that asks for client authentication, and this one did not',
  );
}

/** The provider wants a client secret and none was given: its own message, not the hint for a wrong client id. */
function secretMissing(error: unknown, options: OidcClientOptions): AppError {
  return new AppError(
    'auth.client-secret-missing',
    `the identity provider requires a client secret for client ${options.clientId} (${describeOAuthAnswer(error)})`,
    {
      hint: 'this client needs a secret: --oidc-client-secret or OIDC_CLIENT_SECRET',
      cause: error,
    },
  );
}
