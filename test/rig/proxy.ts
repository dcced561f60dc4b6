/** A forward proxy on loopback that tunnels HTTPS (CONNECT) and records every tunnel it opened. */
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';

export interface RigProxy {
  readonly url: string;
  /** `host:port` of every CONNECT. */
  readonly tunnels: string[];
  close(): Promise<void>;
}

export async function startProxy(): Promise<RigProxy> {
  const tunnels: string[] = [];
  const server: Server = createServer((_req, res) => res.writeHead(501).end('only CONNECT'));
  server.on('connect', (req, client, head) => {
    const target = req.url ?? '';
    tunnels.push(target);
    const [host, port] = target.split(':');
    const upstream = connect(Number(port), host as string, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    const end = () => {
      upstream.destroy();
      client.destroy();
    };
    upstream.on('error', end);
    client.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tunnels,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
