/**
 * A tiny "browser" over HTTP: follows redirects with a cookie jar (per host name, as browsers keep cookies: the
 * plugin's start URL on localhost binds it with a cookie that must come back with the callback; the device flow's
 * start URL on 127.0.0.1 redirects to the provider's device page) and submits the
 * login and consent forms of oidc-provider's pages, until the provider redirects to the plugin's loopback callback,
 * which it then requests. Used as --browser-command in tests, and by the demo on machines without a display.
 */

/** Cookies per host name (ports share them, as in browsers). */
export type CookieJar = Map<string, Map<string, string>>;

/** The Cookie header this jar sends to a URL, or undefined. */
export function cookieHeaderFor(jar: CookieJar, url: string | URL): string | undefined {
  const cookies = jar.get(new URL(url).hostname);
  return cookies && cookies.size > 0 ? [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') : undefined;
}

function keepCookies(jar: CookieJar, url: URL, response: Response): void {
  for (const cookie of response.headers.getSetCookie()) {
    const [pair] = cookie.split(';');
    const at = (pair as string).indexOf('=');
    const cookies = jar.get(url.hostname) ?? new Map<string, string>();
    cookies.set((pair as string).slice(0, at).trim(), (pair as string).slice(at + 1).trim());
    jar.set(url.hostname, cookies);
  }
}

/**
 * Opens the plugin's start URL as a browser does, without following its redirect: the authorization URL it leads
 * to and the jar holding the cookie it set. Counts as the one fetch of the start URL.
 */
export async function openStartUrl(startUrl: string): Promise<{ authorizationUrl: URL; jar: CookieJar }> {
  const jar: CookieJar = new Map();
  const response = await fetch(startUrl, { redirect: 'manual' });
  keepCookies(jar, new URL(startUrl), response);
  const location = response.headers.get('location');
  if (response.status !== 302 || !location) throw new Error(`the start URL answered HTTP ${response.status}`);
  return { authorizationUrl: new URL(location), jar };
}
export interface FormLoginOptions {
  readonly login: string;
  readonly password: string;
  /** Stop after this many requests (a loop means a bug). */
  readonly maxSteps?: number;
  readonly log?: (line: string) => void;
  /** Return instead of requesting this URL (the keyboard flow: the user copies the URL the browser ended at). */
  readonly stopBefore?: (url: URL) => boolean;
  /** On the device flow's confirmation page, press "Abort" instead of "Continue". */
  readonly abortDevice?: boolean;
  /** On the consent page, follow "[ Cancel ]" instead of allowing: the user declines the consent. */
  readonly declineConsent?: boolean;
  /** The browser's cookies so far (e.g. from openStartUrl); a new jar otherwise. */
  readonly jar?: CookieJar;
}

export interface FormLoginResult {
  /** Status and body of the final page (the plugin's callback answer). */
  readonly status: number;
  readonly body: string;
  readonly finalUrl: string;
  /** Every URL requested, in order (the authorization URL among them). */
  readonly visited: readonly string[];
  readonly jar: CookieJar;
}

export async function completeLoginWithForms(
  startUrl: string,
  options: FormLoginOptions,
): Promise<FormLoginResult> {
  const jar: CookieJar = options.jar ?? new Map();
  const visited: string[] = [];
  const log = options.log ?? (() => undefined);
  let url = startUrl;
  let method = 'GET';
  let body: URLSearchParams | undefined;

  for (let step = 0; step < (options.maxSteps ?? 20); step++) {
    const target = new URL(url);
    if (options.stopBefore?.(target)) return { status: 0, body: '', finalUrl: url, visited, jar };
    const headers: Record<string, string> = {};
    const cookie = cookieHeaderFor(jar, target);
    if (cookie) headers.cookie = cookie;
    if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
    log(`${method} ${target.origin}${target.pathname}`);
    visited.push(url);
    const response = await fetch(url, { method, headers, body, redirect: 'manual' });
    keepCookies(jar, target, response);
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      url = new URL(location, url).href;
      method = 'GET';
      body = undefined;
      continue;
    }
    const text = await response.text();
    const form = parseFirstForm(text);
    // A page without a form ends the walk: the plugin's callback page, the device flow's success page, an error.
    if (!form) return { status: response.status, body: text, finalUrl: url, visited, jar };
    const fields = new URLSearchParams(form.values);
    if (options.abortDevice && fields.has('confirm')) {
      fields.delete('confirm');
      fields.set('abort', 'yes');
      // The provider then offers its code form again; a person who aborted stops here.
      const aborted = await fetch(new URL(form.action, url), {
        method: form.method,
        headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
        body: fields,
      });
      return { status: aborted.status, body: await aborted.text(), finalUrl: aborted.url, visited, jar };
    }
    if (options.declineConsent && fields.get('prompt') === 'consent') {
      const cancel = /<a href="([^"]*)">\[ Cancel \]<\/a>/.exec(text)?.[1];
      if (!cancel) throw new Error('the consent page has no Cancel link');
      log('declining the consent');
      url = new URL(decodeEntities(cancel), url).href;
      method = 'GET';
      body = undefined;
      continue;
    }
    if (form.inputs.includes('login')) fields.set('login', options.login);
    if (form.inputs.includes('password')) fields.set('password', options.password);
    url = new URL(form.action, url).href;
    method = form.method;
    body = fields;
  }
  throw new Error('the login did not finish within the step limit');
}

interface ParsedForm {
  readonly action: string;
  readonly method: string;
  /** Every input that carries a value (hidden ones, and prefilled fields such as the device user code). */
  readonly values: [string, string][];
  readonly inputs: string[];
}

function parseFirstForm(html: string): ParsedForm | undefined {
  const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) return undefined;
  const attributes = form[1] as string;
  const action = /action="([^"]*)"/i.exec(attributes)?.[1] ?? '';
  const method = (/method="([^"]*)"/i.exec(attributes)?.[1] ?? 'get').toUpperCase();
  const values: [string, string][] = [];
  const inputs: string[] = [];
  for (const input of (form[2] as string).matchAll(/<input\b([^>]*)>/gi)) {
    const attrs = input[1] as string;
    const name = /name="([^"]*)"/i.exec(attrs)?.[1];
    if (!name) continue;
    inputs.push(name);
    const value = /value="([^"]*)"/i.exec(attrs)?.[1];
    if (value !== undefined) values.push([name, decodeEntities(value)]);
  }
  return { action: decodeEntities(action), method, values, inputs };
}

function decodeEntities(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code)))
    .replace(/&#x([0-9a-f]+);/gi, (_, code) => String.fromCharCode(Number.parseInt(code, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}
