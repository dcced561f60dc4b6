/**
 * A private Secret Service for tests: a D-Bus session bus and an unlocked GNOME Keyring, each a child process of
 * the test, with a fresh HOME. Plugin processes started with `env` use this keyring and no other.
 * Needs Debian's dbus and gnome-keyring (`.ci/run` installs them).
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './plugin.js';

export interface KeyringSession {
  readonly env: Readonly<Record<string, string>>;
  /** Account names stored under a service, read with libsecret's secret-tool (independent of the plugin). */
  accounts(service: string): string[];
  close(): Promise<void>;
}

export const keyringToolsPresent = [
  '/usr/bin/dbus-daemon',
  '/usr/bin/gnome-keyring-daemon',
  '/usr/bin/secret-tool',
].every((path) => existsSync(path));

export async function startKeyringSession(): Promise<KeyringSession> {
  const home = tempDir('keyring-home');
  const runtime = join(home, 'run');
  mkdirSync(runtime, { mode: 0o700 });
  const base = { PATH: process.env.PATH ?? '', HOME: home, XDG_RUNTIME_DIR: runtime };

  const bus = spawn('dbus-daemon', ['--session', '--nofork', '--print-address=1'], {
    env: base,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const address = await firstLine(bus);
  const env = { ...base, DBUS_SESSION_BUS_ADDRESS: address };

  // Daemonises itself, unlocks (creating) the login keyring with the password on stdin, and ends with the bus.
  execFileSync('gnome-keyring-daemon', ['--unlock', '--components=secrets'], {
    env,
    input: 'rig-keyring-password',
    stdio: ['pipe', 'ignore', 'ignore'],
    timeout: 10_000,
  });
  await waitUntil(() => {
    try {
      execFileSync('secret-tool', ['store', '--label=rig probe', 'rig', 'probe'], {
        env,
        input: 'ready',
        stdio: ['pipe', 'ignore', 'ignore'],
        timeout: 2000,
      });
      return true;
    } catch {
      return false;
    }
  });

  return {
    env,
    accounts: (service) => {
      // secret-tool prints the secrets on stdout and the attributes on stderr.
      const { stdout, stderr } = spawnSync('secret-tool', ['search', '--all', 'service', service], {
        env,
        encoding: 'utf8',
      });
      return [...`${stdout}\n${stderr}`.matchAll(/^attribute\.username = (.*)$/gm)].map(
        (m) => m[1] as string,
      );
    },
    close: async () => {
      // The daemon forked itself away and outlives its bus: find it by the HOME only this session uses.
      for (const pid of processesWithEnv('gnome-keyring-daemon', `HOME=${home}`)) process.kill(pid);
      bus.kill();
    },
  };
}

function processesWithEnv(name: string, variable: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return (
          readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === name.slice(0, 15) &&
          readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(variable)
        );
      } catch {
        return false;
      }
    })
    .map(Number);
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (chunk) => {
      text += chunk;
      const line = text.split('\n')[0];
      if (text.includes('\n') && line) resolve(line.trim());
    });
    child.on('exit', (code) => reject(new Error(`dbus-daemon exited with ${code}`)));
  });
}

async function waitUntil(ready: () => boolean): Promise<void> {
  for (let waited = 0; waited < 10_000; waited += 100) {
    if (ready()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the test keyring did not start within 10 s');
}
