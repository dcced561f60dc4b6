/**
 * What a user pasted instead of a browser redirect (the keyboard flow, or the browser flow over SSH without port
 * forwarding) → the authorization response as a URL for the code exchange.
 */
import { AppError } from '../app-error.js';

/**
 * What the user pasted → the authorization response as a URL for the code exchange. A whole URL is taken as it is
 * (its state is then checked); a bare code is given our own state, and the issuer when the provider would have sent
 * it, since a code shown on a page carries neither.
 */
export function callbackUrlFromAnswer(
  answer: string,
  context: { redirectUri: string | undefined; state: string; issuer: string | undefined },
): URL {
  const text = answer.trim();
  if (text === '') {
    throw new AppError('auth.no-code', 'no code was entered', {
      hint: 'run the command again and paste the code the provider showed',
    });
  }
  if (/^https?:\/\//i.test(text)) {
    const pasted = new URL(text);
    if (!pasted.searchParams.has('code') && !pasted.searchParams.has('error')) {
      throw new AppError('auth.no-code', 'the pasted URL carries no code', {
        hint: 'paste the URL of the page the provider redirected to after the login (it contains code=…)',
      });
    }
    return pasted;
  }
  // openid-client needs a URL to read the response from; for the out-of-band URI any base will do.
  const base =
    context.redirectUri && /^https?:\/\//i.test(context.redirectUri)
      ? context.redirectUri
      : 'http://localhost/';
  const url = new URL(base);
  url.search = '';
  url.searchParams.set('code', text);
  url.searchParams.set('state', context.state);
  if (context.issuer) url.searchParams.set('iss', context.issuer);
  return url;
}
