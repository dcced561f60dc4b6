/**
 * Parsers of flag values: durations, a choice among words, positive numbers, HTTP headers. Each throws a usage
 * error (exit 2) that names the flag and the value it refused.
 */
import { usageError } from '../app-error.js';

/**
 * The longest duration any flag takes: a day. Longer values are mistakes, and Node's timers overflow beyond
 * 2^31-1 ms (~24.8 days) into an immediate timeout.
 */
export const maxDurationSec = 86_400;

/** `90`, `90s`, `2m`, `1h`, `1m30s` → seconds, at most a day. */
export function parseDurationSec(raw: string, flag: string): number {
  const text = raw.trim();
  const match = /^(\d+)$|^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!match || text === '') {
    throw usageError(`--${flag} takes a duration such as 30s, 2m or 0, not "${raw}"`);
  }
  const [, bare, h = '0', m = '0', s = '0'] = match;
  const seconds = bare !== undefined ? Number(bare) : Number(h) * 3600 + Number(m) * 60 + Number(s);
  if (seconds > maxDurationSec) {
    throw usageError(`--${flag} must be at most 24h, not "${raw}"`);
  }
  return seconds;
}

/** RFC 9110 token characters for names; values without CR, LF or other control characters (header injection). */
export function validHeaders(headers: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  for (const [name, value] of Object.entries(headers)) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      throw usageError(
        `--oidc-request-header "${name}" is not a valid HTTP header name`,
        'write it as NAME=VALUE, e.g. --oidc-request-header=X-Team=platform',
      );
    }
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
    if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value)) {
      throw usageError(
        `--oidc-request-header ${name}: the value contains a line break or control character`,
        'give a single-line value',
      );
    }
  }
  return headers;
}

export function positive(value: number, flag: string): number {
  if (value <= 0) throw usageError(`--${flag} must be longer than 0`);
  return value;
}

export function oneOf<T extends string>(
  value: string,
  allowed: readonly T[],
  flag: string,
  source = `--${flag}`,
): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw usageError(`${source} must be one of ${allowed.join('|')}, not "${value}"`);
}
