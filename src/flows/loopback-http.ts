/**
 * What the login's loopback HTTP servers share: the callback server of the browser flow (./callback-server.ts) and
 * the start server of the device flow (./start-server.ts). Both hand the browser a one-time start URL instead of a
 * URL that other local users could use (./browser-binding.ts), so both refuse other users' connections (Linux:
 * ../platform/peer-user.ts) and other hosts (DNS rebinding), answer the start URL alike, and end the login the same
 * way when two clients raced for it.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { AppError } from '../app-error.js';
import type { Logger } from '../core/ports.js';
import { peerUid } from '../platform/peer-user.js';
import type { BrowserBinding } from './browser-binding.js';
import { messagePage, otherUserText, startRacedText } from './pages.js';

/** Who may reach a loopback server, and how it names itself in warnings and pages. */
export interface RequestGate {
  /** `callback server`, `start server`. */
  readonly name: string;
  /** The `host[:port]` the browser was sent to: a request with another Host header is not that browser. */
  readonly host: string;
  /** `http://127.0.0.1:PORT`: what a request's target is parsed against. */
  readonly base: string;
  /** The users whose browser may take part in the login (../platform/peer-user.ts ownUsers). */
  readonly ownUsers: ReadonlySet<number>;
  readonly logger: Logger;
}

/**
 * The request's URL when it may reach the login; otherwise the request has been answered (403 another user of this
 * machine, 421 another Host, 400 a target no URL parser accepts) and the answer is undefined.
 */
export function admittedUrl(req: IncomingMessage, res: ServerResponse, gate: RequestGate): URL | undefined {
  // Another user of this machine may have read the start URL in the browser launcher's command line: nothing of
  // this login is theirs to take, nor to answer.
  const peer = peerUid(req.socket);
  if (peer !== undefined && !gate.ownUsers.has(peer)) {
    gate.logger.warn(
      `refused a request to the login's ${gate.name} from another user of this machine (uid ${peer}): someone may be trying to log you in as them`,
    );
    sendPage(res, 403, 'Another user', otherUserText);
    return undefined;
  }
  const about = aboutServer(gate);
  // DNS rebinding: a web page whose name resolves to 127.0.0.1 reaches this port with its own Host.
  if (req.headers.host?.toLowerCase() !== gate.host.toLowerCase()) {
    sendPage(res, 421, 'Wrong address', about);
    return undefined;
  }
  // A target no URL parser accepts (`//[`) is answered, not thrown: it would end the login.
  const target = req.url ?? '/';
  if (!URL.canParse(target, gate.base)) {
    sendPage(res, 400, 'Bad request', about);
    return undefined;
  }
  return new URL(target, gate.base);
}

/** The page for a request to no path of ours (or to one with the wrong method). */
export function sendNotFound(res: ServerResponse, gate: Pick<RequestGate, 'name'>): void {
  sendPage(res, 404, 'Not found', aboutServer(gate));
}

function aboutServer(gate: Pick<RequestGate, 'name'>): string {
  return `This is the kubectl-together_login ${gate.name}.`;
}

/** The start URL's answer: the binding, where it redirects, for how long the cookie lives. */
export interface StartRedirect {
  readonly binding: BrowserBinding;
  readonly location: string;
  readonly maxAgeSec: number;
}

/**
 * Answers a GET of the start path: the redirect with the binding cookie; or, when a client without the cookie
 * fetched it after the first one, a page saying the login stopped, and `raced`: the caller ends the login; or, once
 * the login has `ended`, a page saying so.
 */
export function answerStart(
  req: IncomingMessage,
  res: ServerResponse,
  start: StartRedirect,
  state: { readonly secure: boolean; readonly ended: boolean },
): 'redirected' | 'raced' | 'ended' {
  if (state.ended) {
    sendPage(res, 410, 'Already done', 'This login has already ended. Return to your terminal.');
    return 'ended';
  }
  if (start.binding.onStart(req.headers.cookie) === 'raced') {
    sendPage(res, 409, 'Login stopped', startRacedText);
    return 'raced';
  }
  res
    .writeHead(302, {
      location: start.location,
      'set-cookie': start.binding.setCookie(start.maxAgeSec, state.secure),
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
    })
    .end();
  return 'redirected';
}

/** The start URL was fetched by two clients: `instead` is what to use meanwhile. */
export function startUrlRaced(instead: string): AppError {
  return new AppError(
    'auth.start-url-raced',
    'the login URL was opened twice, by two different browsers or programs: the login was stopped, since another user on this machine may have tried to log you in as them',
    {
      hint: `run the command again and open the URL in one browser only; if it happens again, someone on this machine reads your processes' command lines (use ${instead} meanwhile)`,
    },
  );
}

export function sendPage(
  res: ServerResponse,
  status: number,
  title: string,
  message: string | readonly string[],
): void {
  res
    .writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'close',
    })
    .end(messagePage(title, message));
}

export function listen(
  server: Server,
  port: number,
  host: string,
): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const onError = (error: NodeJS.ErrnoException) => resolve(error);
    server.once('error', onError);
    // ipv6Only: [::1] must not fall back to an IPv4-mapped socket; exclusive: no port sharing with a cluster.
    server.listen({ port, host, ipv6Only: host.includes(':'), exclusive: true }, () => {
      server.off('error', onError);
      resolve(undefined);
    });
  });
}

/** Stops listening and drops every connection, a browser's keep-alive ones too. */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
