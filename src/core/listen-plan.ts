/**
 * Which sockets the callback server must own for one --listen-address (pure, no I/O).
 *
 * Browsers resolve `localhost` to both loopback families and Chromium tries `::1` first. A callback server that
 * listens only on 127.0.0.1:P leaves [::1]:P to whoever binds it first, and that program then receives the
 * authorization code of http://localhost:P. So when the redirect URI's host is `localhost`, the server owns the port
 * on both families, and a port whose other family is held by someone else counts as taken. A redirect URI that
 * names one address (`http://127.0.0.1:P`, `http://[::1]:P`) reaches only that address: the listen address keeps its
 * meaning. A listen address on every interface (`0.0.0.0`, `::`) with a localhost redirect owns the other family's
 * loopback too.
 *
 * A redirect URI whose host no socket of the plan receives (`[::1]` while listening on 127.0.0.1) sends the code to
 * whoever holds that socket: such settings are refused before the login (checkRedirectCovered).
 */
import { AppError } from '../app-error.js';

/**
 * node:net's isIP, loaded only when a host must be classified: checkRedirectCovered runs on every get-token, cache
 * hits included, and with the default settings (redirect to localhost, loopback listen addresses) it never asks.
 */
const isIP = (host: string): number => process.getBuiltinModule('node:net').isIP(host);

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
const anyV4 = '0.0.0.0';
const anyV6 = '::';
/** For a localhost redirect: the host that must be bound beside a listen host, for the other loopback family. */
const otherFamilyLoopback: Readonly<Record<string, string>> = {
  [loopbackV4]: loopbackV6,
  [loopbackV6]: loopbackV4,
  [anyV4]: loopbackV6,
  [anyV6]: loopbackV4,
};

export function parseListenAddress(address: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(address);
  const port = match ? Number(match[3]) : Number.NaN;
  if (!match || port > 65535) {
    throw new AppError('usage.listen-address', `--listen-address "${address}" is not HOST:PORT`, {
      hint: 'write it as 127.0.0.1:8000 (a port from 0 to 65535)',
    });
  }
  return { host: match[1] ?? (match[2] || loopbackV4), port };
}

/** `redirectHost`: the hostname of the redirect URI (`localhost`, `127.0.0.1`, `[::1]`, …). */
export function listenPlan(address: string, redirectHost: string): ListenPlan {
  const { host, port } = parseListenAddress(address);
  const listenHost = host.toLowerCase() === 'localhost' ? loopbackV4 : host;
  const other = otherFamilyLoopback[listenHost];
  if (other && redirectHost.toLowerCase() === 'localhost')
    return { address, port, primary: listenHost, companions: [other] };
  return { address, port, primary: listenHost, companions: [] };
}

/**
 * Whether a browser sent to a redirect URI with this host reaches a socket of the plan: for `localhost` both
 * loopback families (browsers try either), for an address that address or the plan's "any" of its family, for
 * another name (whose addresses are not known here) the same name or "any".
 */
export function coversRedirectHost(plan: ListenPlan, redirectHost: string): boolean {
  const hosts = [plan.primary, ...plan.companions].map((host) => host.toLowerCase());
  const target = unbracketed(redirectHost).toLowerCase();
  const reaches = (ip: string) => hosts.includes(ip) || hosts.includes(isIP(ip) === 6 ? anyV6 : anyV4);
  if (target === 'localhost') return reaches(loopbackV4) && reaches(loopbackV6);
  if (isIP(target) !== 0) return reaches(target);
  return hosts.includes(target) || hosts.includes(anyV4) || hosts.includes(anyV6);
}

/**
 * Refuses (exit 2) listen addresses that are not HOST:PORT, and a redirect host that one of them would not receive:
 * checked before any request, for every run that may start the callback server. `redirectFlag` names the flag the
 * host came from, undefined for the default (localhost).
 */
export function checkRedirectCovered(
  addresses: readonly string[],
  redirectHost: string,
  redirectFlag: string | undefined,
): void {
  for (const address of addresses) {
    const plan = listenPlan(address, redirectHost);
    if (coversRedirectHost(plan, redirectHost)) continue;
    const source = redirectFlag ?? 'the default redirect URI (http://localhost:PORT)';
    const there = `--listen-address=${socketLabel(unbracketed(redirectHost), plan.port)}`;
    throw new AppError(
      'usage.redirect-host',
      `${source} sends the browser to ${redirectHost}, where the callback server does not listen (--listen-address ${address}): another program could receive the login there`,
      {
        hint: redirectFlag
          ? `listen where the browser is sent (${there}), or leave ${redirectFlag} out (localhost, served on both loopback families)`
          : `listen on loopback (${there}), or send the browser to the address you listen on with --oidc-redirect-url-hostname`,
      },
    );
  }
}

/** A URL's hostname `[::1]` as the address `::1`. */
function unbracketed(host: string): string {
  return host.replace(/^\[(.*)\]$/, '$1');
}

/** `[::1]:8000` or `127.0.0.1:8000`. */
export function socketLabel(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
