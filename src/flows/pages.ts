/**
 * The small pages the callback server shows in the browser. Self-contained (inline style, no script, no external
 * resource): the page must work offline and must not make the browser fetch anything after a login.
 */
import { retryAfterFailureMs } from '../core/login-coordination.js';

export function messagePage(title: string, message: string | readonly string[]): string {
  const paragraphs = (typeof message === 'string' ? [message] : message)
    .map((text) => `<p>${escapeHtml(text)}</p>`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escapeHtml(title)} · kubectl-together_login</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}</style></head>
<body><h1>${escapeHtml(title)}</h1>${paragraphs}</body></html>`;
}

/** What the browser shows after a login: done, and nothing else to do here. */
export const loginSucceededText = [
  'You are logged in. kubectl goes on in your terminal with the new token.',
  'You can close this tab.',
];

/** A callback with our state from a browser without the login cookie (./browser-binding.ts). */
export const notBoundBrowserText = [
  'This browser did not open the login link of kubectl-together_login, so its login is not accepted: someone may be trying to make you log in as them.',
  "If you opened the identity provider's link yourself (the one printed for a browser that cannot reach your machine), copy the address of this page and paste it into the terminal.",
  'Otherwise, return to your terminal: the login there still waits for the browser it opened.',
];

/** A request from another local user's socket (Linux): the login belongs to someone else. */
export const otherUserText = [
  'This login belongs to another user of this computer: it is not yours to open.',
  'If you wanted to log in yourself, run your own kubectl command.',
];

/** The start URL fetched a second time, by another browser or program. */
export const startRacedText = [
  'This login link was opened twice, by two different browsers or programs, so the login was stopped: another user on this machine may have tried to make you log in as them.',
  'Run your kubectl command again to log in.',
  'You can close this tab.',
];

/** What went wrong, what to do about it, and how to try again. */
export function loginFailedText(error: unknown): string[] {
  const { message, hint } = error as { message?: string; hint?: string };
  return [
    `The login did not complete: ${message ?? String(error)}.`,
    ...(hint ? [`What to do: ${hint}.`] : []),
    `To try again, run your kubectl command again. For ${retryAfterFailureMs / 1000} s after a failed login, kubectl's own retries end at once with this error; press Enter when the terminal asks, or add --force-refresh to try sooner.`,
    'You can close this tab.',
  ];
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
