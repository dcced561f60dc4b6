/**
 * Binds a browser login to the browser this process opened (login CSRF). The authorization URL (state, nonce, PKCE
 * challenge) in the browser launcher's command line could be read by every local user in /proc: another user opened
 * it, logged in as themselves, and our callback accepted their code, so our cache held their identity. So the
 * browser gets a one-time start URL on the callback server instead (`http://localhost:PORT/login/<random>`). Its
 * answer sets a random cookie and redirects to the provider, and only a callback that carries the cookie completes
 * the login. A start URL fetched again without the cookie means a second client raced for it: the login is
 * abandoned, since we cannot tell which of the two is the user's browser.
 *
 * Pure bookkeeping: the callback server asks it about each request.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

export type StartDecision = 'redirect' | 'raced';

export interface BrowserBinding {
  /** The start URL's path: random, unguessable, and not the callback's path. */
  readonly startPath: string;
  /** The Set-Cookie header of the start answer (Secure when the callback server speaks HTTPS). */
  setCookie(maxAgeSec: number, secure: boolean): string;
  /**
   * A request for the start path with this Cookie header: the first one is the browser we bind; a later one from
   * the same browser (a reload) is redirected again; a later one without the cookie means someone raced.
   */
  onStart(cookieHeader: string | undefined): StartDecision;
  /** Whether a callback with this Cookie header comes from the browser that fetched the start URL. */
  fromBoundBrowser(cookieHeader: string | undefined): boolean;
}

/**
 * `port`: the callback server's. Browsers send cookies to every port of a host, so the name carries the port: two
 * logins at once on 8000 and 18000 (two providers) in one browser do not overwrite each other's cookie.
 */
export function newBrowserBinding(port: number): BrowserBinding {
  return browserBinding({
    startPath: `/login/${randomBytes(24).toString('base64url')}`,
    cookieName: `kubectl_together_login_${port}`,
    cookieValue: randomBytes(32).toString('base64url'),
  });
}

export function browserBinding(secrets: {
  startPath: string;
  cookieName: string;
  cookieValue: string;
}): BrowserBinding {
  const { startPath, cookieName, cookieValue } = secrets;
  let started = false;
  const carriesOurs = (header: string | undefined) =>
    cookieValues(header, cookieName).some((value) => sameText(value, cookieValue));
  return {
    startPath,
    setCookie: (maxAgeSec, secure) =>
      `${cookieName}=${cookieValue}; Path=/; Max-Age=${Math.max(1, Math.ceil(maxAgeSec))}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`,
    onStart(header) {
      if (!started) {
        started = true;
        return 'redirect';
      }
      return carriesOurs(header) ? 'redirect' : 'raced';
    },
    fromBoundBrowser: (header) => started && carriesOurs(header),
  };
}

/** The values of every cookie of this name in a Cookie header (`a=1; b=2`); a browser may send a name twice. */
export function cookieValues(header: string | undefined, name: string): string[] {
  if (!header) return [];
  return header
    .split(';')
    .map((pair) => pair.trim())
    .filter((pair) => pair.startsWith(`${name}=`))
    .map((pair) => pair.slice(name.length + 1));
}

/** Compared in constant time: the cookie is a secret of this login. */
function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
