/**
 * Which sockets the callback server must own for one --listen-address (pure, no I/O).
 *
 * Browsers resolve `localhost` to both loopback families and Chromium tries `::1` first. A callback server that
 * listens only on 127.0.0.1:P leaves [::1]:P to whoever binds it first, and that program then receives the
 * authorization code of http://localhost:P. So when the redirect URI's host is `localhost`, the server owns the port
 * on both families, and a port whose other family is held by someone else counts as taken. A redirect URI that
 * names one address (`http://127.0.0.1:P`, `http://[::1]:P`) reaches only that address: the listen address keeps its
 * meaning.
 */
import { AppError, ExitCode } from '../errors.js';

export interface ListenPlan {
  /** The address as the user wrote it (or the default), for messages. */
  readonly address: string;
  readonly port: number;
  /** The host bound first; with port 0 its port is then used for the others. */
  readonly primary: string;
  /** Hosts that must be bound on the same port too, or the port is not ours. */
  readonly companions: readonly string[];
}

const loopbackV4 = '127.0.0.1';
const loopbackV6 = '::1';

export function parseListenAddress(address: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(address);
  const port = match ? Number(match[3]) : Number.NaN;
  if (!match || port > 65535) {
    throw new AppError('usage.listen-address', `--listen-address "${address}" is not HOST:PORT`, {
      exitCode: ExitCode.usage,
      hint: 'write it as 127.0.0.1:8000 (a port from 0 to 65535)',
    });
  }
  return { host: match[1] ?? (match[2] || loopbackV4), port };
}

/** `redirectHost`: the hostname of the redirect URI (`localhost`, `127.0.0.1`, `[::1]`, …). */
export function listenPlan(address: string, redirectHost: string): ListenPlan {
  const { host, port } = parseListenAddress(address);
  const listenHost = host.toLowerCase() === 'localhost' ? loopbackV4 : host;
  const loopback = listenHost === loopbackV4 || listenHost === loopbackV6;
  if (loopback && redirectHost.toLowerCase() === 'localhost') {
    const other = listenHost === loopbackV4 ? loopbackV6 : loopbackV4;
    return { address, port, primary: listenHost, companions: [other] };
  }
  return { address, port, primary: listenHost, companions: [] };
}

/** `[::1]:8000` or `127.0.0.1:8000`. */
export function socketLabel(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
