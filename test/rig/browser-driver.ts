/**
 * Executable used as --browser-command: `browser-driver <url>`. Logs in as RIG_LOGIN (default alice) through the
 * provider's forms. Writes what it did to RIG_DRIVER_LOG when set, and counts its runs in RIG_DRIVER_COUNT (a file
 * that gets one line per run), so tests can assert how many browser windows the plugin opened.
 *
 * RIG_DRIVER_MODE: `login` (default); `wrong-state-first` sends a callback with a foreign state before logging in;
 * `deny` answers the callback with error=access_denied, as a provider does when the user refuses;
 * `decline-consent` logs in and then cancels the provider's consent page (the provider sends the error).
 */
import { appendFileSync } from 'node:fs';
import { openDriverLog } from './driver-log.js';
import { completeLoginWithForms, cookieHeaderFor, openStartUrl } from './provider-forms.js';

const url = process.argv[2];
const driverLog = openDriverLog(process.env.RIG_DRIVER_LOG);
const log = driverLog.log;
if (process.env.RIG_DRIVER_COUNT) appendFileSync(process.env.RIG_DRIVER_COUNT, 'run\n');

if (!url) {
  log('no URL given');
  driverLog.exit(2);
}
async function drive(url: string): Promise<{ status: number; finalUrl: string }> {
  const mode = process.env.RIG_DRIVER_MODE ?? 'login';
  const user = {
    login: process.env.RIG_LOGIN ?? 'alice',
    password: process.env.RIG_PASSWORD ?? 'any-password',
    log,
    declineConsent: mode === 'decline-consent',
  };
  if (mode !== 'deny' && mode !== 'wrong-state-first') return completeLoginWithForms(url, user);
  // These modes forge callbacks: they need the authorization URL the plugin's start URL redirects to, and the
  // cookie it sets, as the browser that opened it has them.
  const { authorizationUrl: authorization, jar } = await openStartUrl(url);
  const authorizationUrl = authorization.href;
  const params = authorization.searchParams;
  const callback = () => new URL(params.get('redirect_uri') ?? '');
  const withCookie = (target: URL) => ({ headers: { cookie: cookieHeaderFor(jar, target) ?? '' } });
  if (mode === 'deny') {
    const denied = callback();
    // Like a real provider, with `iss` (RFC 9207): the rig's issuer is the authorization URL's origin.
    denied.search = new URLSearchParams({
      error: 'access_denied',
      error_description: 'the user said no',
      state: params.get('state') ?? '',
      iss: new URL(authorizationUrl).origin,
    }).toString();
    const response = await fetch(denied, withCookie(denied));
    log(`deny callback: HTTP ${response.status}`);
    return { status: response.status, finalUrl: denied.href };
  }
  const forged = callback();
  forged.search = new URLSearchParams({ code: 'forged', state: 'not-the-state' }).toString();
  const response = await fetch(forged, withCookie(forged));
  log(`wrong-state callback: HTTP ${response.status}`);
  return completeLoginWithForms(authorizationUrl, { ...user, jar });
}

drive(url as string).then(
  (result) => {
    log(
      `done: HTTP ${result.status} at ${new URL(result.finalUrl).origin}${new URL(result.finalUrl).pathname}`,
    );
    driverLog.exit(0);
  },
  (error: unknown) => {
    log(`failed: ${(error as Error).message}`);
    driverLog.exit(1);
  },
);
