/**
 * A JWT checked as kube-apiserver checks one: signed by a key of the issuer's JWKS (never `none` nor a MAC), `iss`
 * the issuer, `exp` present and in the future, and `aud` holding an audience when one is asked for. The keys are
 * openid-client's (the JWKS it fetched or the cached copy, fetched again through the provider's fetch when missing
 * or when the token names an unknown key) and go back into its cache, so the provider metadata cache keeps them.
 * Used for exchanged tokens (./token-exchange.ts) and access tokens given to kubectl (./access-token-check.ts).
 */
import * as jose from 'jose';
import * as client from 'openid-client';
import type { ConfiguredProvider } from './provider.js';

/** Signatures kube-apiserver accepts; never `none` nor a MAC, whatever the token's header says. */
const signatureAlgorithms = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];

/** Throws jose's error naming the failed check, or an Error when the provider names no jwks_uri. */
export async function verifyWithProviderKeys(
  provider: ConfiguredProvider,
  token: string,
  audience: string | undefined,
): Promise<jose.JWTPayload> {
  const metadata = provider.config.serverMetadata();
  if (!metadata.jwks_uri)
    throw new Error('the discovery document names no jwks_uri to check its signature with');
  // openid-client keeps when it fetched the keys in seconds, jose in milliseconds (given seconds, jose took the
  // cached keys for 56 years old and fetched them again on every check); both fetch them again after 5 minutes.
  const kept = client.getJwksCache(provider.config);
  const cache: jose.JWKSCacheInput = kept
    ? { jwks: kept.jwks as jose.JSONWebKeySet, uat: kept.uat * 1000 }
    : {};
  const keys = jose.createRemoteJWKSet(new URL(metadata.jwks_uri), {
    [jose.customFetch]: provider.config[client.customFetch] as jose.FetchImplementation | undefined,
    [jose.jwksCache]: cache,
    cacheMaxAge: 300_000,
    timeoutDuration: provider.options.timeoutSec * 1000,
  });
  try {
    const { payload } = await jose.jwtVerify(token, keys, {
      issuer: metadata.issuer,
      ...(audience === undefined ? {} : { audience }),
      requiredClaims: ['exp'],
      algorithms: signatureAlgorithms,
    });
    return payload;
  } finally {
    // Keys jose fetched go back into openid-client's cache, in its unit.
    if ('jwks' in cache && cache.jwks && cache.uat !== (kept && kept.uat * 1000))
      client.setJwksCache(provider.config, {
        jwks: cache.jwks as client.ExportedJWKSCache['jwks'],
        uat: Math.floor(cache.uat / 1000),
      });
  }
}

/** Whether a token has the shape of a JWS (three parts, a JSON header naming an algorithm), not an opaque string. */
export function looksLikeJwt(token: string): boolean {
  try {
    return typeof jose.decodeProtectedHeader(token).alg === 'string' && token.split('.').length === 3;
  } catch {
    return false;
  }
}

/** jose's error as a short reason for a message. */
export function failedCheck(error: unknown): string | undefined {
  if (!(error instanceof jose.errors.JOSEError)) return undefined;
  if (error instanceof jose.errors.JWSInvalid || error instanceof jose.errors.JWTInvalid)
    return 'it is not a JWT';
  if (error instanceof jose.errors.JWTExpired) return 'it is already expired';
  return error.message;
}
