/**
 * Which URLs may be handed to a browser. A URL a provider names (the device flow's `verification_uri`, the
 * discovery's `authorization_endpoint`) becomes an argument of the browser's command line: a value such as
 * `--renderer-cmd-prefix=/bin/sh -c …` is read by Chromium as a switch and runs a command, and `javascript:` or
 * `file:` URLs make the browser do what no login needs. So only an absolute http: or https: URL that parses,
 * without spaces or control characters (a real URL has none: they are percent-encoded), is ever opened.
 */
import { AppError } from '../app-error.js';

/** Why this value must not reach a browser, or undefined when it may. */
export function browserUrlProblem(value: string): string | undefined {
  if (value.startsWith('-')) return 'it starts with "-", which a browser reads as a command-line switch';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\s\u0000-\u001f\u007f-\u009f]/.test(value)) return 'it holds spaces or control characters';
  if (!URL.canParse(value)) return 'it is not an absolute URL';
  const { protocol } = new URL(value);
  if (protocol !== 'http:' && protocol !== 'https:') return `its scheme is ${protocol}, not http: or https:`;
  return undefined;
}

/**
 * The URL itself when a browser may open it; otherwise the error that ends the login (exit 3: the provider
 * answered something no login can use). `field` names where the value came from, e.g. `verification_uri`.
 */
export function checkedBrowserUrl(value: string, field: string): string {
  const problem = browserUrlProblem(value);
  if (!problem) return value;
  throw new AppError(
    'provider.unsafe-browser-url',
    `the identity provider's ${field} cannot be opened in a browser: ${problem}`,
    {
      hint: `the provider (or something between it and you) sent a ${field} that is not an http(s) URL; nothing was opened. Report it to the provider's administrators, and check --oidc-issuer-url`,
    },
  );
}
