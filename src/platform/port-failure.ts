/**
 * What to tell a user whose callback port cannot be bound, per platform. Windows reserves ranges of TCP ports for
 * Hyper-V, WSL 2 and Docker (they move with every reboot and often cover 8000 or 18000): binding one fails with
 * EACCES although nothing listens there, so "in use" would send the user looking for a program that does not exist.
 */
export const reservedByWindows = 'reserved by Windows';

/** How a port that refused us with EACCES is described. */
export function notAllowedText(platform: NodeJS.Platform): string {
  return platform === 'win32'
    ? `${reservedByWindows} (EACCES: Hyper-V, WSL or Docker exclude ranges of ports)`
    : 'not allowed (EACCES)';
}

/** The hint when no callback port could be bound; `failures` are the texts describing each port. */
export function portsBusyHint(platform: NodeJS.Platform, failures: readonly string[]): string {
  const elsewhere = 'pass --listen-address=127.0.0.1:PORT and register http://localhost:PORT at the provider';
  if (platform === 'win32' && failures.some((failure) => failure.includes(reservedByWindows))) {
    return `list the reserved ranges with \`netsh interface ipv4 show excludedportrange protocol=tcp\`, then ${elsewhere} with a PORT outside them`;
  }
  const whoListens =
    platform === 'win32'
      ? '`netstat -ano -p tcp` names its process id'
      : platform === 'darwin'
        ? '`lsof -nP -iTCP -sTCP:LISTEN` names it'
        : '`ss -ltnp` names it';
  return `close what uses those ports (${whoListens}), or ${elsewhere}`;
}
