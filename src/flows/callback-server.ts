/**
 * The local server that receives the browser's redirect after login (RFC 8252 loopback redirect). It binds the first
 * free address of the list (on both loopback families when the redirect URI says `localhost`: ../core/listen-plan.ts),
 * answers only requests addressed to the redirect URI's host (DNS rebinding) from a socket of this user (Linux:
 * ../platform/peer-user.ts), serves the one-time start URL that binds the browser with a cookie and redirects it to
 * the provider (./browser-binding.ts; the HTTP pieces it shares with the device flow's start server:
 * ./loopback-http.ts), accepts exactly one callback that carries our `state` and that cookie,
 * answers everything else with an error page, and closes all connections when done.
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, isIP } from 'node:net';
import { AppError } from '../app-error.js';
import type { GetTokenInput } from '../core/get-token-input.js';
import { type ListenPlan, listenPlan, socketLabel } from '../core/listen-plan.js';
import type { Logger } from '../core/ports.js';
import { ownUsers as usersOfThisLogin } from '../platform/peer-user.js';
import { notAllowedText, portsBusyHint } from '../platform/port-failure.js';
import { readSettingFile, UnreadableFile } from '../platform/setting-file.js';
import {
  admittedUrl,
  answerStart,
  closeServer,
  listen,
  type StartRedirect,
  sendNotFound,
  sendPage,
  startUrlRaced,
} from './loopback-http.js';
import { loginFailedText, loginSucceededText, notBoundBrowserText } from './pages.js';

export interface CallbackServerOptions {
  readonly addresses: readonly string[];
  /** The hostname of the redirect URI: `localhost` makes the server own the port on both loopback families. */
  readonly redirectHost: string;
  readonly tls: { cert: string; key: string } | undefined;
  readonly logger: Logger;
}

/** What to do with the callback that carries our state; its outcome is shown to the browser and returned. */
export type CallbackHandler<T> = (callbackUrl: URL) => Promise<T>;

export interface WaitOptions<T> {
  /** The redirect URI's `host[:port]`: a request with another Host header is not the browser coming back to us. */
  readonly host: string;
  readonly path: string;
  readonly state: string;
  readonly redirectAfterSuccess: string | undefined;
  readonly handle: CallbackHandler<T>;
  /** The start URL: its path and cookie (the binding), where it redirects (the authorization URL), for how long. */
  readonly start: StartRedirect;
}

export interface CallbackServer {
  readonly port: number;
  readonly scheme: 'http' | 'https';
  /** Starts accepting callbacks; settles with the handler's result when the login has completed or failed. */
  waitForCallback<T>(options: WaitOptions<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * What can be wrong with the callback server's settings, found before a login's first request (kubectl retries a
 * failing plugin, and each retry would repeat the requests): its TLS files, and listen hosts that are not this
 * machine's or do not resolve (a trial bind on port 0, closed at once). A busy port is not checked here: it may be
 * free when the login gets there.
 */
/** --local-server-cert and --local-server-key, when both are given: the callback server then speaks HTTPS. */
export function localServerTls(
  input: Pick<GetTokenInput, 'localServerCert' | 'localServerKey'>,
): { cert: string; key: string } | undefined {
  return input.localServerCert && input.localServerKey
    ? { cert: input.localServerCert, key: input.localServerKey }
    : undefined;
}

export async function checkCallbackSettings(
  options: Pick<CallbackServerOptions, 'addresses' | 'tls'>,
): Promise<void> {
  if (options.tls) readTls(options.tls);
  for (const address of options.addresses) {
    const host = listenPlan(address, '').primary;
    const server = createHttpServer();
    const failure = await listen(server, 0, host);
    // Throws for a host that is not ours or does not resolve; any other failure is left to the login.
    if (failure) describeBindFailure(failure, host);
    else await closeServer(server);
  }
}

export async function startCallbackServer(options: CallbackServerOptions): Promise<CallbackServer> {
  const tls = options.tls ? readTls(options.tls) : undefined;
  let onRequest: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.writeHead(503).end();
  };
  const create = (): Server =>
    tls
      ? createHttpsServer(tls, (req, res) => onRequest(req, res))
      : createHttpServer((req, res) => onRequest(req, res));

  const { servers, port } = await listenOnFirstFree(
    create,
    options.addresses,
    options.redirectHost,
    options.logger,
  );
  const scheme = tls ? 'https' : 'http';
  const ownUsers = usersOfThisLogin();

  return {
    port,
    scheme,
    waitForCallback: <T>({ host, path, state, redirectAfterSuccess, handle, start }: WaitOptions<T>) =>
      new Promise<T>((resolve, reject) => {
        let done = false;
        const gate = {
          name: 'callback server',
          host,
          base: `${scheme}://127.0.0.1:${port}`,
          ownUsers,
          logger: options.logger,
        };
        onRequest = (req, res) => {
          const url = admittedUrl(req, res, gate);
          if (!url) return;
          if (req.method === 'GET' && url.pathname === start.binding.startPath) {
            if (answerStart(req, res, start, { secure: scheme === 'https', ended: done }) === 'raced') {
              done = true;
              reject(startUrlRaced('--grant-type=authcode-keyboard'));
            }
            return;
          }
          if (req.method !== 'GET' || url.pathname !== path) {
            sendNotFound(res, gate);
            return;
          }
          if (done) {
            sendPage(res, 410, 'Already done', 'This login has already completed. You can close this tab.');
            return;
          }
          if (url.searchParams.get('state') !== state) {
            options.logger.debug(1, 'ignored a callback with an unknown state (an old tab or another login)');
            sendPage(
              res,
              400,
              'Unknown login',
              'This response belongs to another login attempt. Return to your terminal.',
            );
            return;
          }
          // The state is right, but the browser is not the one this login was opened in: another user who read the
          // authorization URL, or the user's second browser. Their code is never exchanged; the login goes on.
          if (!start.binding.fromBoundBrowser(req.headers.cookie)) {
            options.logger.warn(
              'refused a login callback from a browser that did not open the login URL (it lacks the login cookie): someone may be trying to log you in as them; still waiting for your browser',
            );
            sendPage(res, 403, 'Not the browser of this login', notBoundBrowserText);
            return;
          }
          done = true;
          handle(url).then(
            (result) => {
              if (redirectAfterSuccess) {
                res.writeHead(302, { location: redirectAfterSuccess, 'cache-control': 'no-store' }).end();
              } else {
                sendPage(res, 200, 'Logged in', loginSucceededText);
              }
              resolve(result);
            },
            (error: unknown) => {
              sendPage(res, 400, 'Login failed', loginFailedText(error));
              reject(error);
            },
          );
        };
      }),
    close: async () => {
      await Promise.all(servers.map(closeServer));
    },
  };
}

function readTls(files: { cert: string; key: string }): { cert: string; key: string } {
  const read = (flag: string, path: string) => {
    try {
      return readSettingFile(path);
    } catch (error) {
      if (!(error instanceof UnreadableFile)) throw error;
      throw new AppError('usage.local-server-cert', `--${flag} ${path} ${error.problem}`, {
        hint: 'check --local-server-cert and --local-server-key: PEM files (regular files of at most 1 MB)',
        cause: error,
      });
    }
  };
  return { cert: read('local-server-cert', files.cert), key: read('local-server-key', files.key) };
}

interface Bound {
  readonly servers: Server[];
  readonly port: number;
}

/** Binds the first address of the list whose sockets (both loopback families where needed) are all free. */
async function listenOnFirstFree(
  create: () => Server,
  addresses: readonly string[],
  redirectHost: string,
  logger: Logger,
): Promise<Bound> {
  const busy: string[] = [];
  for (const address of addresses) {
    const plan = listenPlan(address, redirectHost);
    if (!['127.0.0.1', '::1'].includes(plan.primary)) {
      logger.warn(`the callback server listens on ${plan.primary}, which other machines may reach`);
    }
    const outcome = await bindPlan(create, plan, logger);
    if ('servers' in outcome) return outcome;
    busy.push(outcome.busy);
    logger.debug(1, `${address} is not available: ${outcome.busy}`);
  }
  throw new AppError('usage.ports-busy', `cannot start the callback server: ${busy.join('; ')}`, {
    hint: portsBusyHint(process.platform, busy),
  });
}

/** Port 0: a port whose other family happens to be taken is given back and another one is tried. */
const attemptsForPortZero = 5;

async function bindPlan(
  create: () => Server,
  plan: ListenPlan,
  logger: Logger,
): Promise<Bound | { busy: string }> {
  for (let attempt = 1; ; attempt++) {
    const primary = create();
    const failure = await listen(primary, plan.port, plan.primary);
    if (failure)
      return {
        busy: `${socketLabel(plan.primary, plan.port)} is ${describeBindFailure(failure, plan.primary)}`,
      };
    const port = (primary.address() as AddressInfo).port;
    const servers = [primary];
    let squatted: string | undefined;
    for (const host of plan.companions) {
      const companion = create();
      const error = await listen(companion, port, host);
      if (!error) {
        servers.push(companion);
      } else if (error.code === 'EADDRNOTAVAIL' || error.code === 'EAFNOSUPPORT') {
        // This machine has no such address (IPv6 off): nobody can listen there, and no browser will go there.
        logger.debug(2, `no ${host} on this machine (${error.code})`);
      } else {
        squatted = socketLabel(host, port);
        break;
      }
    }
    if (!squatted) {
      logger.debug(1, `callback server listening on ${servers.map((s) => label(s)).join(' and ')}`);
      return { servers, port };
    }
    await Promise.all(servers.map(closeServer));
    if (plan.port === 0 && attempt < attemptsForPortZero) continue;
    const message = `${socketLabel(plan.primary, port)} cannot be used: another program listens on ${squatted}, where the browser would send the login for http://localhost:${port}`;
    logger.warn(message);
    return { busy: message };
  }
}

/** `host`: the one we asked for (the error names it in Node's runtime only, not in Bun's). */
function describeBindFailure(error: NodeJS.ErrnoException, host: string): string {
  switch (error.code) {
    case 'EADDRINUSE':
      return 'in use';
    case 'EACCES':
      return notAllowedText(process.platform);
    case 'EADDRNOTAVAIL':
      throw listenAddressError(host, 'is not an address of this machine', error);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      throw listenAddressError(host, 'names a host that does not resolve', error);
    case 'EAGAIN':
      // Bun (the standalone build) reports a failed lookup of the host to listen on as EAGAIN.
      if (isIP(host) === 0) throw listenAddressError(host, 'names a host that does not resolve', error);
      throw error;
    default:
      throw error;
  }
}

function listenAddressError(host: string, what: string, cause: NodeJS.ErrnoException): AppError {
  return new AppError('usage.listen-address', `--listen-address ${host} ${what}`, {
    hint: 'listen on a loopback address such as 127.0.0.1:8000',
    cause,
  });
}

function label(server: Server): string {
  const address = server.address() as AddressInfo;
  return socketLabel(address.address, address.port);
}
