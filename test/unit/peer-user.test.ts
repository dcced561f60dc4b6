import { describe, expect, it } from 'vitest';
import { ipv4Hex, ownUsers, peerUid, socketOwner } from '../../src/platform/peer-user.js';

// As the kernel prints them (x86: little-endian): the server listening on 8000 (0x1F40), the accepted socket, and
// the peer's own socket 127.0.0.1:51234 (0xC822) → 127.0.0.1:8000 owned by uid 65534.
const tcp = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F40 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0
   1: 0100007F:1F40 0100007F:C822 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0 20 4 30 10 -1
   2: 0100007F:C822 0100007F:1F40 01 00000000:00000000 00:00000000 00000000 65534        0 3 1 0 20 4 30 10 -1
   3: 0200007F:C822 0100007F:1F40 01 00000000:00000000 00:00000000 00000000  1000        0 4 1 0 20 4 30 10 -1
`;
const tcp6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:C822 00000000000000000000000001000000:1F40 01 00000000:00000000 00:00000000 00000000  1000        0 5 1 0 20 4 30 10 -1
`;

describe("the user at the other end of a loopback connection (Linux's /proc/net/tcp)", () => {
  it('finds the peer socket by its port, our port and its address', () => {
    expect(socketOwner(tcp, 51234, 8000, '0100007F')).toBe(65534);
    expect(socketOwner(tcp, 51234, 8000, '0200007F')).toBe(1000);
    expect(socketOwner(tcp, 51235, 8000, '0100007F')).toBeUndefined();
    // Without the address, two owners disagree: unknown rather than a guess.
    expect(socketOwner(tcp, 51234, 8000, undefined)).toBeUndefined();
    expect(socketOwner(tcp6, 51234, 8000, undefined)).toBe(1000);
    expect(socketOwner('', 51234, 8000, undefined)).toBeUndefined();
  });

  it('writes IPv4 addresses in the machine order', () => {
    expect(ipv4Hex('127.0.0.1', 'LE')).toBe('0100007F');
    expect(ipv4Hex('127.0.0.1', 'BE')).toBe('7F000001');
  });

  it.each([
    [{ remoteAddress: '127.0.0.1', remotePort: 51234, localPort: 8000 }, 'linux', 65534],
    [{ remoteAddress: '::ffff:127.0.0.1', remotePort: 51234, localPort: 8000 }, 'linux', 65534],
    [{ remoteAddress: '::1', remotePort: 51234, localPort: 8000 }, 'linux', 1000],
    [{ remoteAddress: '127.0.0.1', remotePort: 51234, localPort: 8000 }, 'darwin', undefined],
    [{ remoteAddress: undefined, remotePort: 51234, localPort: 8000 }, 'linux', undefined],
  ] as const)('peerUid(%j) on %s → %s', (connection, platform, uid) => {
    const read = (path: string) => (path === '/proc/net/tcp6' ? tcp6 : tcp);
    // The sample is little-endian: on a big-endian machine the IPv4 rows would read otherwise.
    if (ipv4Hex('127.0.0.1') !== '0100007F' && connection.remoteAddress !== '::1') return;
    expect(peerUid(connection, platform, read)).toBe(uid);
  });

  it('no /proc: unknown, never a failure', () => {
    const read = () => {
      throw new Error('ENOENT');
    };
    expect(
      peerUid({ remoteAddress: '127.0.0.1', remotePort: 1, localPort: 2 }, 'linux', read),
    ).toBeUndefined();
  });

  it('our own users: ourselves, and the user who ran sudo when we are root', () => {
    expect([...ownUsers(1000, {})]).toEqual([1000]);
    expect([...ownUsers(1000, { SUDO_UID: '1001' })]).toEqual([1000]);
    expect([...ownUsers(0, { SUDO_UID: '1001' })]).toEqual([0, 1001]);
    expect([...ownUsers(0, { SUDO_UID: 'x' })]).toEqual([0]);
  });
});
