/**
 * The local server that receives the browser's redirect after login (RFC 8252 loopback redirect). It binds the first
 * free address of the list, accepts exactly one callback that carries our `state`, answers everything else with an
 * error page, and closes all connections when done.
 */
import { readFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../core/ports.js';
import { AppError, ExitCode } from '../errors.js';
import { messagePage } from './pages.js';

export interface CallbackServerOptions {
  readonly addresses: readonly string[];
  readonly tls: { cert: string; key: string } | undefined;
  readonly logger: Logger;
}

/** What to do with the callback that carries our state; its outcome is shown to the browser and returned. */
export type CallbackHandler<T> = (callbackUrl: URL) => Promise<T>;

export interface WaitOptions<T> {
  readonly path: string;
  readonly state: string;
  readonly redirectAfterSuccess: string | undefined;
  readonly handle: CallbackHandler<T>;
}

export interface CallbackServer {
  readonly port: number;
  readonly scheme: 'http' | 'https';
  /** Starts accepting callbacks; settles with the handler's result when the login has completed or failed. */
  waitForCallback<T>(options: WaitOptions<T>): Promise<T>;
  close(): Promise<void>;
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

  const { server, port } = await listenOnFirstFree(create, options.addresses, options.logger);
  const scheme = tls ? 'https' : 'http';

  return {
    port,
    scheme,
    waitForCallback: <T>({ path, state, redirectAfterSuccess, handle }: WaitOptions<T>) =>
      new Promise<T>((resolve, reject) => {
        let done = false;
        onRequest = (req, res) => {
          const url = new URL(req.url ?? '/', `${scheme}://127.0.0.1:${port}`);
          if (req.method !== 'GET' || url.pathname !== path) {
            sendPage(res, 404, 'Not found', 'This is the kubectl-together_login callback server.');
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
          done = true;
          handle(url).then(
            (result) => {
              if (redirectAfterSuccess) {
                res.writeHead(302, { location: redirectAfterSuccess, 'cache-control': 'no-store' }).end();
              } else {
                sendPage(
                  res,
                  200,
                  'Logged in',
                  'You are logged in. You can close this tab and return to your terminal.',
                );
              }
              resolve(result);
            },
            (error: unknown) => {
              sendPage(
                res,
                400,
                'Login failed',
                `${(error as Error).message}. See your terminal for what to do next.`,
              );
              reject(error);
            },
          );
        };
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function sendPage(res: ServerResponse, status: number, title: string, message: string): void {
  res
    .writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'close',
    })
    .end(messagePage(title, message));
}

function readTls(files: { cert: string; key: string }): { cert: Buffer; key: Buffer } {
  try {
    return { cert: readFileSync(files.cert), key: readFileSync(files.key) };
  } catch (error) {
    throw new AppError(
      'usage.local-server-cert',
      `cannot read the local server certificate: ${(error as Error).message}`,
      {
        exitCode: ExitCode.usage,
        hint: 'check --local-server-cert and --local-server-key',
        cause: error,
      },
    );
  }
}

export function parseListenAddress(address: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(address);
  const port = match ? Number(match[3]) : Number.NaN;
  if (!match || port > 65535) {
    throw new AppError('usage.listen-address', `--listen-address "${address}" is not HOST:PORT`, {
      exitCode: ExitCode.usage,
      hint: 'write it as 127.0.0.1:8000',
    });
  }
  return { host: match[1] ?? (match[2] || '127.0.0.1'), port };
}

async function listenOnFirstFree(
  create: () => Server,
  addresses: readonly string[],
  logger: Logger,
): Promise<{ server: Server; port: number }> {
  const busy: string[] = [];
  for (const address of addresses) {
    const { host, port } = parseListenAddress(address);
    if (!['127.0.0.1', 'localhost', '::1'].includes(host)) {
      logger.warn(`the callback server listens on ${host}, which other machines may reach`);
    }
    const server = create();
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      const bound = (server.address() as AddressInfo).port;
      logger.debug(1, `callback server listening on ${host}:${bound}`);
      return { server, port: bound };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EADDRINUSE' && code !== 'EACCES') throw error;
      busy.push(address);
      logger.debug(1, `${address} is not available (${code})`);
    }
  }
  throw new AppError(
    'usage.ports-busy',
    `cannot start the callback server: ${busy.join(' and ')} are in use`,
    {
      exitCode: ExitCode.usage,
      hint: 'close what uses those ports, or pass --listen-address=127.0.0.1:PORT and register http://localhost:PORT at the provider',
    },
  );
}
