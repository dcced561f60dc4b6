/**
 * RFC 8693 token exchange (a token narrowed to one cluster's audience): one request through openid-client's generic
 * grant (client authentication, retries and error translation as every token request: ./provider.ts), then the issued
 * token checked as kube-apiserver will check it: a JWT signed by a key of the issuer's JWKS, `iss` the issuer, `aud`
 * holding the audience, `exp` in the future. The keys are openid-client's (the JWKS it fetched or the cached copy,
 * fetched again through the provider's fetch when missing or when the token names an unknown key) and go back into its
 * cache, so the provider metadata cache keeps them for the next run.
 */
import * as jose from 'jose';
import * as client from 'openid-client';
import { AppError, cutForMessage, isAppError, rememberSecrets } from '../app-error.js';
import type { ExchangedToken } from '../core/ports.js';
import { type TokenExchangeSettings, tokenTypeUrns } from '../core/token-exchange-settings.js';
import { grantRefused } from './grant-refusal.js';
import { type ConfiguredProvider, providerRequest } from './provider.js';
import { failedCheck, verifyWithProviderKeys } from './provider-keys.js';
import { describeOAuthAnswer, toAppError } from './translate-error.js';

export const tokenExchangeGrantType = 'urn:ietf:params:oauth:grant-type:token-exchange';

export async function tokenExchange(
  provider: ConfiguredProvider,
  subjectToken: string,
  subjectIsAccessToken: boolean,
  settings: TokenExchangeSettings,
): Promise<ExchangedToken> {
  rememberSecrets(subjectToken);
  const { audience } = settings;
  let response: client.TokenEndpointResponse;
  try {
    response = await providerRequest(provider, 'token exchange', () =>
      client.genericGrantRequest(provider.config, tokenExchangeGrantType, {
        subject_token: subjectToken,
        subject_token_type: subjectIsAccessToken ? tokenTypeUrns['access-token'] : tokenTypeUrns['id-token'],
        audience,
        requested_token_type: tokenTypeUrns[settings.requestedTokenType],
      }),
    );
  } catch (error) {
    throw exchangeRefused(error, provider, audience);
  }
  // RFC 8693 puts the issued token in access_token, whatever its type.
  const token = response.access_token;
  rememberSecrets(token, response.refresh_token, response.id_token);
  provider.options.logger.debug(
    1,
    `the provider issued a token of type ${String(response.issued_token_type ?? 'unnamed')} for audience ${audience}`,
  );
  return { token, expiresAt: await verifiedExpiry(provider, token, audience) };
}

/** The refusals whose remedy is known: the grant is not offered, or not for this audience. */
function exchangeRefused(error: unknown, provider: ConfiguredProvider, audience: string): unknown {
  if (!isAppError(error)) return error;
  const { clientId, issuerUrl } = provider.options;
  const answer = `(${describeOAuthAnswer(error.cause)})`;
  const offered = provider.config.serverMetadata().grant_types_supported;
  const notListed = Array.isArray(offered) && !offered.includes(tokenExchangeGrantType);
  if (error.code === 'auth.unsupported_grant_type')
    return new AppError(
      'exchange.unsupported',
      `the identity provider does not offer token exchange ${answer}${notListed ? '; its discovery document does not list it in grant_types_supported' : ''}`,
      {
        hint: `remove --token-exchange-audience (or the cluster's token-exchange-audience), or use a provider that serves RFC 8693 token exchange (Keycloak, Okta, Zitadel, Dex, Pinniped's supervisor) at ${cutForMessage(issuerUrl)}`,
        cause: error,
      },
    );
  if (error.code === 'auth.invalid_target')
    return new AppError(
      'exchange.audience-refused',
      `the identity provider refused to issue a token for audience ${JSON.stringify(audience)} ${answer}`,
      {
        hint: `check the audience (--token-exchange-audience or the cluster's token-exchange-audience) against the cluster's AuthenticationConfiguration, and ask the identity provider administrator to let client ${clientId} exchange tokens for it`,
        cause: error,
      },
    );
  // unauthorized_client, or what oidc-provider and others say instead ("grant type is not allowed for this client").
  if (grantRefused(error))
    return new AppError(
      'exchange.not-allowed',
      `the identity provider does not let client ${clientId} exchange tokens ${answer}`,
      {
        hint: `ask the identity provider administrator to allow the token exchange grant (${tokenExchangeGrantType}) for client ${clientId}`,
        cause: error,
      },
    );
  return error;
}

/** The token's exp (ms) once it passed the checks kube-apiserver makes; an AppError (exit 3) naming the failed one. */
async function verifiedExpiry(
  provider: ConfiguredProvider,
  token: string,
  audience: string,
): Promise<number> {
  if (!provider.config.serverMetadata().jwks_uri)
    throw invalidToken('the discovery document names no jwks_uri to check its signature with', undefined);
  let payload: jose.JWTPayload;
  try {
    payload = await verifyWithProviderKeys(provider, token, audience);
  } catch (error) {
    throw verificationFailed(error, token, audience, provider);
  }
  return (payload.exp as number) * 1000;
}

function verificationFailed(
  error: unknown,
  token: string,
  audience: string,
  provider: ConfiguredProvider,
): Error {
  if (error instanceof jose.errors.JWTClaimValidationFailed && error.claim === 'aud') {
    const aud = jose.decodeJwt(token).aud;
    return new AppError(
      'exchange.audience-missing',
      `the identity provider's exchanged token is not for audience ${JSON.stringify(audience)} (its aud is ${cutForMessage(JSON.stringify(aud ?? null), 120)}); the login's own token is not used instead`,
      {
        hint: `the provider ignored the requested audience: ask its administrator to configure token exchange for client ${provider.options.clientId} to issue tokens for ${JSON.stringify(audience)} (in Keycloak, an audience mapper or the client's allowed audiences)`,
        cause: error,
      },
    );
  }
  const reason = failedCheck(error);
  if (reason !== undefined) return invalidToken(reason, error);
  return toAppError(error, 'token exchange', provider.options.issuerUrl);
}

function invalidToken(reason: string, cause: unknown): AppError {
  return new AppError(
    'provider.invalid-response',
    `the identity provider's exchanged token is not acceptable: ${reason}`,
    {
      hint: "the token exchange must issue a JWT signed by the issuer's keys (--token-exchange-requested-token-type chooses its type); check this machine's clock",
      cause,
    },
  );
}
