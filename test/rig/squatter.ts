/**
 * A second program on the machine that listens where the plugin's callback server might: the "hostile neighbour" of
 * the loopback tests. A separate process (not a server in the test's own process), recording the URLs it is sent.
 */
import { spawn } from 'node:child_process';

export interface Squatter {
  /** `listening`, or the bind error code (EADDRINUSE …). */
  readonly bound: Promise<string>;
  /** Request URLs received so far. */
  readonly requests: string[];
  close(): Promise<void>;
}

const script = `
const [host, port] = process.argv.slice(1);
const server = require('node:http').createServer((req, res) => {
  process.stdout.write('request ' + req.url + '\\n');
  res.end('squatted');
});
server.on('error', (error) => { process.stdout.write('bound ' + error.code + '\\n'); process.exit(1); });
server.listen({ host, port: Number(port), ipv6Only: host.includes(':') }, () => process.stdout.write('bound listening\\n'));
`;

export function startSquatter(host: string, port: number): Squatter {
  const child = spawn(process.execPath, ['-e', script, host, String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const requests: string[] = [];
  let buffer = '';
  let onBound: (state: string) => void = () => undefined;
  const bound = new Promise<string>((resolve) => {
    onBound = resolve;
  });
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    for (let at = buffer.indexOf('\n'); at >= 0; at = buffer.indexOf('\n')) {
      const line = buffer.slice(0, at);
      buffer = buffer.slice(at + 1);
      if (line.startsWith('bound ')) onBound(line.slice(6));
      if (line.startsWith('request ')) requests.push(line.slice(8));
    }
  });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  child.on('close', () => onBound('exited'));
  return {
    bound,
    requests,
    close: async () => {
      child.kill();
      await exited;
    },
  };
}
