/**
 * The device flow's start server: where a browser can be shown, the device flow opens the provider's verification
 * page for the user, and that URL carries the user code (`verification_uri_complete`). In the browser launcher's
 * command line every local user could read it (/proc/PID/cmdline), approve the code at the provider as themselves
 * before the user does, and our polling would then cache their identity (login CSRF). So the launcher gets a
 * one-time start URL on 127.0.0.1 (any free port) instead, whose answer redirects to the verification page, as the
 * browser flow's callback server does (./browser-binding.ts): a second client fetching it without the first one's
 * cookie means someone raced for it, and the login is abandoned; on Linux another user's connection is refused.
 *
 * The server takes no callback: the provider tells the polling, not the browser, that the user approved.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../core/ports.js';
import { ownUsers } from '../platform/peer-user.js';
import { newBrowserBinding } from './browser-binding.js';
import {
  admittedUrl,
  answerStart,
  closeServer,
  listen,
  sendNotFound,
  startUrlRaced,
} from './loopback-http.js';

export interface StartServer {
  /** `http://127.0.0.1:PORT/login/<random>`: the only URL the browser launcher is given. */
  readonly url: string;
  /** Rejects with `auth.start-url-raced` when a second client fetched the start URL; never settles otherwise. */
  readonly raced: Promise<never>;
  /** Stops answering: a later fetch of the start URL finds nothing. */
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 (any free port: a fixed one could be taken, or squatted by another user) for one start URL
 * redirecting to `location` for the cookie's lifetime `maxAgeSec`. Undefined when no socket could be had: then no
 * browser is opened, and the user opens the printed URL themselves.
 */
export async function startStartServer(
  location: string,
  maxAgeSec: number,
  logger: Logger,
): Promise<StartServer | undefined> {
  let onRaced: (error: Error) => void = () => undefined;
  const raced = new Promise<never>((_, reject) => {
    onRaced = reject;
  });
  // Nobody need await it before the race: an unobserved rejection would end the process.
  raced.catch(() => undefined);
  // The handler is set once the port is known; the callback server's pattern, which both runtimes (Node, Bun) run.
  let onRequest = (_req: IncomingMessage, res: ServerResponse) => void res.writeHead(503).end();
  const server = createServer((req, res) => onRequest(req, res));
  const failure = await listen(server, 0, '127.0.0.1');
  if (failure) {
    logger.warn(
      `no browser was opened: the login's start server cannot listen on 127.0.0.1 (${failure.code ?? failure.message}); open the URL above in your browser`,
    );
    return undefined;
  }
  // The cookie's name carries the port (./browser-binding.ts), known only now; no request is read before this runs.
  const { port } = server.address() as AddressInfo;
  const binding = newBrowserBinding(port);
  const gate = {
    name: 'start server',
    host: `127.0.0.1:${port}`,
    base: `http://127.0.0.1:${port}`,
    ownUsers: ownUsers(),
    logger,
  };
  let ended = false;
  onRequest = (req, res) => {
    const url = admittedUrl(req, res, gate);
    if (!url) return;
    if (req.method !== 'GET' || url.pathname !== binding.startPath) {
      sendNotFound(res, gate);
      return;
    }
    if (answerStart(req, res, { binding, location, maxAgeSec }, { secure: false, ended }) === 'raced') {
      ended = true;
      onRaced(startUrlRaced('--skip-open-browser'));
    }
  };
  logger.debug(1, `the login's start server listens on 127.0.0.1:${port}`);
  return {
    url: `http://127.0.0.1:${port}${binding.startPath}`,
    raced,
    close: () => {
      ended = true;
      return closeServer(server);
    },
  };
}
