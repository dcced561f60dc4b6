/**
 * Which local user is at the other end of a loopback connection to the login's servers (Linux): the browser flow's
 * callback server and the device flow's start server. The login's start URL sits in the browser launcher's command
 * line, which every user can read: another user who fetched it before our browser did, and logged in at the
 * provider before our browser arrived, would win the race the browser binding (src/flows/browser-binding.ts)
 * cannot see. The kernel knows who owns each socket: /proc/net/tcp and tcp6
 * list every TCP socket of this network namespace with its owner's uid, so a request from another user's socket is
 * refused before it can take the start URL or bring a callback.
 *
 * Elsewhere (macOS, Windows), or when the table does not tell, the answer is undefined and the cookie binding alone
 * holds.
 */
import { readFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import { endianness } from 'node:os';

/** The connection as the server's socket sees it. */
export interface LoopbackConnection {
  readonly remoteAddress?: string | undefined;
  readonly remotePort?: number | undefined;
  readonly localPort?: number | undefined;
}

/** The uid owning the peer's socket of this connection, or undefined when it cannot be told. */
export function peerUid(
  connection: LoopbackConnection,
  platform: NodeJS.Platform = process.platform,
  read: (path: string) => string = (path) => readFileSync(path, 'latin1'),
): number | undefined {
  const { remoteAddress, remotePort, localPort } = connection;
  if (platform !== 'linux' || !remoteAddress || !remotePort || !localPort) return undefined;
  // An IPv4 peer of a dual-stack server shows as ::ffff:a.b.c.d; its own socket is an IPv4 one all the same.
  const ipv4 = isIPv4(remoteAddress) ? remoteAddress : /^::ffff:([\d.]+)$/i.exec(remoteAddress)?.[1];
  try {
    return ipv4
      ? socketOwner(read('/proc/net/tcp'), remotePort, localPort, ipv4Hex(ipv4))
      : socketOwner(read('/proc/net/tcp6'), remotePort, localPort, undefined);
  } catch {
    return undefined; // no /proc (a container without it, a restricted sandbox)
  }
}

/**
 * The uid column of the table line whose local end is the peer's (`peerPort`, and `peerAddressHex` when given) and
 * whose remote end is our port: the peer's own socket. Undefined when no line matches, or lines disagree.
 */
export function socketOwner(
  table: string,
  peerPort: number,
  ourPort: number,
  peerAddressHex: string | undefined,
): number | undefined {
  const owners = new Set<number>();
  for (const line of table.split('\n').slice(1)) {
    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode …
    const fields = line.trim().split(/\s+/);
    const [local, remote, uid] = [fields[1], fields[2], fields[7]];
    if (!local || !remote || uid === undefined) continue;
    const [localAddress, localPort] = local.split(':');
    const remotePort = remote.split(':')[1];
    if (Number.parseInt(localPort ?? '', 16) !== peerPort) continue;
    if (Number.parseInt(remotePort ?? '', 16) !== ourPort) continue;
    if (peerAddressHex && localAddress?.toUpperCase() !== peerAddressHex) continue;
    owners.add(Number(uid));
  }
  return owners.size === 1 ? [...owners][0] : undefined;
}

/** An IPv4 address as /proc/net/tcp prints it: the 32-bit word in the machine's byte order, in hex. */
export function ipv4Hex(address: string, order: 'LE' | 'BE' = endianness()): string {
  const bytes = address.split('.').map((part) => Number(part).toString(16).padStart(2, '0').toUpperCase());
  return (order === 'LE' ? bytes.reverse() : bytes).join('');
}

/**
 * The users whose browser may take part in our login: ourselves, and under sudo the user who ran sudo (whose
 * browser opens the URL the root process printed).
 */
export function ownUsers(
  uid: number | undefined = process.getuid?.(),
  env: Readonly<Record<string, string | undefined>> = process.env,
): ReadonlySet<number> {
  const users = new Set<number>();
  if (uid === undefined) return users;
  users.add(uid);
  if (uid === 0 && env.SUDO_UID && /^\d+$/.test(env.SUDO_UID)) users.add(Number(env.SUDO_UID));
  return users;
}
