/**
 * A provider as every step of a login or refresh sees it: openid-client's Configuration (discovered or cached, see
 * ./discovery.ts), the options it was made with, and how one request to it is made: repeated once with
 * client_secret_post when Basic was refused (./client-auth.ts), its failure translated into an AppError.
 */
import type * as client from 'openid-client';
import { type ClientAuthState, retryWithPost } from './client-auth.js';
import { type OidcStep, toAppError } from './errors.js';
import type { FetchTweaks, ProviderFetchOptions } from './provider-fetch.js';

export interface OidcClientOptions extends ProviderFetchOptions {
  readonly issuerUrl: string;
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  readonly extraScopes: readonly string[];
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
    try {
      return await work();
    } catch (error) {
      const advertised = provider.config.serverMetadata().token_endpoint_auth_methods_supported;
      if (!retryWithPost(error, advertised, provider.authState)) throw error;
      provider.options.logger.debug(
        1,
        'the provider refused HTTP Basic client authentication: retrying with client_secret_post',
      );
      return await work();
    }
  } catch (error) {
    throw toAppError(error, step, provider.options.issuerUrl);
  }
}
