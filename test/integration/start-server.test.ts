/**
 * The device flow's start server over real sockets: its one-time URL redirects the first browser (and that browser
 * again, by its cookie) to the verification page, refuses other hosts and paths, ends the login when a client
 * without the cookie fetches it after the first, and is gone once closed.
 */
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/app-error.js';
import type { Logger } from '../../src/core/ports.js';
import { startStartServer } from '../../src/flows/start-server.js';

const quiet: Logger = { info() {}, warn() {}, debug() {} };
const verificationPage = 'https://idp.example/device?user_code=WDJB-MJHT';

async function started() {
  const server = await startStartServer(verificationPage, 60, quiet);
  if (!server) throw new Error('the start server did not listen');
  return server;
}

/** The status of a GET of `url` sent with this Host header. */
function statusWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
}

const get = (url: string, headers: Record<string, string> = {}) =>
  fetch(url, { redirect: 'manual', headers });

describe('the device flow start server', () => {
  it('redirects the first browser, and the same browser again, to the verification page', async () => {
    const server = await started();
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/login\/[\w-]{20,}$/);
      const first = await get(server.url);
      expect(first.status).toBe(302);
      expect(first.headers.get('location')).toBe(verificationPage);
      expect(first.headers.get('cache-control')).toBe('no-store');
      expect(first.headers.get('referrer-policy')).toBe('no-referrer');
      const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0] as string;
      expect(cookie).toMatch(/^kubectl_together_login_\d+=[\w-]{20,}$/);
      // A reload by the same browser is no race.
      const reload = await get(server.url, { cookie });
      expect(reload.status).toBe(302);
      expect(reload.headers.get('location')).toBe(verificationPage);
    } finally {
      await server.close();
    }
  });

  it('answers other paths, methods and hosts without counting them as the start', async () => {
    const server = await started();
    try {
      const { origin, port } = new URL(server.url);
      expect((await get(`${origin}/login/guess`)).status).toBe(404);
      expect((await fetch(server.url, { method: 'POST', redirect: 'manual' })).status).toBe(404);
      // DNS rebinding: a page of another name resolving to 127.0.0.1 (fetch cannot set Host; node:http can).
      expect(await statusWithHost(server.url, `evil.example:${port}`)).toBe(421);
      // None of these was the start: the first real fetch is still redirected.
      expect((await get(server.url)).status).toBe(302);
    } finally {
      await server.close();
    }
  });

  it('a second client without the cookie stops the login, and the URL then stays dead', async () => {
    const server = await started();
    try {
      expect((await get(server.url)).status).toBe(302);
      const raced = await get(server.url);
      expect(raced.status).toBe(409);
      expect(await raced.text()).toContain('opened twice');
      const error = await server.raced.catch((e: unknown) => e);
      expect(isAppError(error) && error.code).toBe('auth.start-url-raced');
      expect(isAppError(error) && error.exitCode).toBe(4);
      expect((await get(server.url)).status).toBe(410);
    } finally {
      await server.close();
    }
    await expect(get(server.url)).rejects.toThrow();
  });
});
