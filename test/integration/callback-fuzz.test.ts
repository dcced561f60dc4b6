/**
 * The callback server fed random requests over real sockets: random methods, targets, Host headers, extra headers
 * and raw bytes. It never crashes, answers each with an HTTP status, and hands a request to the login (the code
 * exchange) only when it is exactly the browser coming back: GET, the redirect URI's Host and path, our state, and
 * the cookie of the browser that opened the start URL.
 */
import { connect } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/core/ports.js';
import { browserBinding } from '../../src/flows/browser-binding.js';
import { startCallbackServer } from '../../src/flows/callback-server.js';

const quiet: Logger = { info() {}, warn() {}, debug() {} };
const state = 'S7ate-0123456789abcdefghijklmnopqrstuvwxyz_';
const startPath = '/login/St4rt';
const cookieName = 'kubectl_together_login_8000';
const cookieValue = 'C00kie-0123456789abcdefghijklmnopqrstuvwxyz';

/** Sends raw bytes, returns the status of the answer (0 when the connection closed without one). */
function exchange(port: number, bytes: string): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    const done = () => resolve(Number(/^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1] ?? 0));
    socket.on('close', done);
    socket.on('error', () => undefined);
    socket.setTimeout(5_000, () => socket.destroy());
    socket.end(bytes, 'latin1');
  });
}

function pathOf(target: string): string | undefined {
  try {
    return new URL(target, 'http://127.0.0.1').pathname;
  } catch {
    return undefined;
  }
}

interface Request {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly host: string | undefined;
  /** The browser binding's cookie: the right one, none, or another value. */
  readonly cookie: string | undefined;
  readonly headers: readonly (readonly [string, string])[];
}

/** Each part is the exact redirect's more often than not, so that all of them together come up too. */
const mostly = <T>(exact: fc.Arbitrary<T>, ...others: fc.Arbitrary<T>[]) =>
  fc.oneof(
    { arbitrary: exact, weight: 2 * others.length },
    ...others.map((arbitrary) => ({ arbitrary, weight: 1 })),
  );

const request: fc.Arbitrary<Request> = fc.record({
  method: mostly(fc.constant('GET'), fc.constantFrom('POST', 'HEAD', 'PUT', 'OPTIONS', 'get'), fc.string()),
  path: mostly(
    fc.constant('/'),
    fc.constantFrom('/callback', '//', '/..', '/%2F', '*', startPath),
    fc.string({ unit: 'binary-ascii' }),
  ),
  query: mostly(
    fc.constant(`?code=c0de&state=${state}`),
    fc
      .tuple(fc.string(), fc.oneof(fc.constant(state), fc.string()))
      .map(([code, s]) => `?${new URLSearchParams({ code, state: s })}`),
    fc.constantFrom(
      '',
      '?',
      `?state=${state}&state=other`,
      `?state=${state.toUpperCase()}`,
      `?code=x&state=${state}x`,
    ),
    fc.string({ unit: 'binary-ascii' }),
  ),
  host: mostly(
    fc.constant('localhost:PORT'),
    fc.constantFrom(
      'LOCALHOST:PORT',
      '127.0.0.1:PORT',
      'localhost',
      'attacker.example:PORT',
      'localhost:PORT.evil',
      '',
    ),
    fc.string({ unit: 'binary-ascii' }),
    fc.constant(undefined),
  ),
  cookie: mostly(
    fc.constant(`${cookieName}=${cookieValue}`),
    fc.constant(undefined),
    fc.constantFrom(`${cookieName}=other`, `${cookieName}=${cookieValue}x`, `x${cookieName}=${cookieValue}`),
    fc.string({ unit: 'binary-ascii' }),
  ),
  headers: mostly<(readonly [string, string])[]>(
    fc.constant([]),
    fc.array(fc.tuple(fc.string({ unit: 'binary-ascii' }), fc.string({ unit: 'binary-ascii' })), {
      minLength: 1,
      maxLength: 3,
    }),
  ),
});

describe('callback server under random requests', () => {
  it('answers everything, and completes the login only for the exact redirect', async () => {
    let completed = 0;
    await fc.assert(
      fc.asyncProperty(request, async (input) => {
        const server = await startCallbackServer({
          addresses: ['127.0.0.1:0'],
          redirectHost: 'localhost',
          tls: undefined,
          logger: quiet,
        });
        const handled: string[] = [];
        const binding = browserBinding({ startPath, cookieName, cookieValue });
        // The user's browser has opened the start URL (and holds the cookie).
        binding.onStart(undefined);
        const outcome = server
          .waitForCallback({
            host: `localhost:${server.port}`,
            path: '/',
            state,
            redirectAfterSuccess: undefined,
            handle: async (url) => {
              handled.push(url.href);
              return 'logged in';
            },
            start: { binding, location: 'http://127.0.0.1:1/auth', maxAgeSec: 60 },
          })
          .catch(() => 'failed');
        try {
          const host = input.host?.replaceAll('PORT', String(server.port));
          const lines = [
            `${input.method} ${input.path}${input.query} HTTP/1.1`,
            ...(host === undefined ? [] : [`Host: ${host}`]),
            ...(input.cookie === undefined ? [] : [`Cookie: ${input.cookie}`]),
            ...input.headers.map(([name, value]) => `${name}: ${value}`),
            'Connection: close',
          ];
          const status = await exchange(server.port, `${lines.join('\r\n')}\r\n\r\n`);
          // Every request gets an answer (a status line), or a closed connection for bytes that are not HTTP.
          expect(status === 0 || (status >= 200 && status < 600)).toBe(true);
          const exact =
            input.method === 'GET' &&
            // The server reads the target as a URL: `/..` or `/./` lead to the same place as `/`.
            pathOf(`${input.path}${input.query}`) === '/' &&
            host?.toLowerCase() === `localhost:${server.port}` &&
            new URLSearchParams(input.query).getAll('state')[0] === state &&
            input.cookie === `${cookieName}=${cookieValue}`;
          // Nothing reaches the code exchange that is not exactly the redirect.
          if (handled.length > 0) expect(exact).toBe(true);
          expect(handled.length).toBeLessThanOrEqual(1);
          // Clean requests that are exactly the redirect do reach it.
          // Clean: an origin-form target of URL characters only, and no extra header (HTTP's own parser may refuse
          // anything else with a 400 before our code sees it).
          const clean =
            input.headers.length === 0 &&
            /^\/[\w.~%/-]*$/.test(input.path) &&
            /^\?[\w.~%=&+-]*$/.test(input.query);
          if (exact && clean) {
            expect(handled).toHaveLength(1);
            expect(await outcome).toBe('logged in');
            completed++;
          }
          // Still serving: a well-formed request after the random one gets an answer.
          expect(
            await exchange(
              server.port,
              `GET /elsewhere HTTP/1.1\r\nHost: localhost:${server.port}\r\nConnection: close\r\n\r\n`,
            ),
          ).toBe(404);
        } finally {
          await server.close();
        }
      }),
      { numRuns: 150 },
    );
    // Not vacuous: the exact redirect came up among the random requests, and completed the login.
    expect(completed).toBeGreaterThan(0);
  });
});
