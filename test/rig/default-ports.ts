/**
 * vitest global setup of the integration tests: they log in through the plugin's default callback ports, so those
 * must be free. `npm test` runs the suite in a private network namespace where nobody else can hold them; when
 * that is not possible (or a test file is run directly) and another process holds one, the run stops here with a
 * line naming the port, instead of failing later with unrelated assertions.
 */
import { createServer } from 'node:net';

const defaultCallbackPorts = [8000, 18000];

function tryBind(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(undefined)));
  });
}

export default async function setup(): Promise<void> {
  for (const port of defaultCallbackPorts) {
    const failure = await tryBind(port);
    if (failure) {
      throw new Error(
        `127.0.0.1:${port} cannot be bound (${failure}): another process holds it, and the integration tests need the plugin's default callback ports 8000 and 18000. Run the tests with \`npm test\` (a private network namespace, as root or with unprivileged user namespaces), or stop that process.`,
      );
    }
  }
}
