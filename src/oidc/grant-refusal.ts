/**
 * Which grant a request asked for, and whether the provider refused that grant itself (not the credentials): below
 * the flows, because the provider's fetch (a device-code poll) and the token exchange need them too; what a refusal
 * means for each flow is flows/refusals.ts.
 */
import type { AppError } from '../app-error.js';

export const deviceCodeGrant = 'urn:ietf:params:oauth:grant-type:device_code';

/**
 * The grant is not offered or not allowed for the client: RFC 6749's unsupported_grant_type and unauthorized_client,
 * and what providers say instead ("invalid_request: urn:…:device_code is not allowed for this client").
 */
export function grantRefused(error: AppError): boolean {
  if (error.code === 'auth.unsupported_grant_type' || error.code === 'auth.unauthorized_client') return true;
  const description = String((error.cause as { error_description?: unknown } | undefined)?.error_description);
  return error.code === 'auth.invalid_request' && /not (allowed|permitted|enabled)/i.test(description);
}
