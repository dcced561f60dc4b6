/**
 * What a provider says in an OAuth error (`error`, `error_description`), made fit for our one-line messages. The
 * text is the provider's, not ours: a line break in it would start a line of its own on stderr (a forged `error:` or
 * `hint:` line, or a wall of HTML), so line breaks and other control characters become spaces, and a description
 * longer than a sentence or two is cut. A provider may echo what we sent (codes, the client secret): those are
 * redacted before the cut, since half a secret would no longer be recognised on the way to stderr (src/app-error.ts).
 */
import { cutForMessage, redact } from '../app-error.js';

/** Descriptions longer than this are cut with an ellipsis: enough for any real provider's sentence. */
export const maxDescriptionLength = 300;

/** `error: description`, or `error` alone when the provider gave no description. */
export function describeProviderError(error: string, description?: unknown): string {
  const said = typeof description === 'string' ? oneLine(description) : '';
  return said ? `${oneLine(error)}: ${said}` : oneLine(error);
}

function oneLine(text: string): string {
  const flat = redact(text, [])
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is replaced
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
  return cutForMessage(flat, maxDescriptionLength);
}
