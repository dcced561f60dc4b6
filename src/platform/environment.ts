/** What flow selection needs to know about this machine (src/core/select-flow.ts decides with it). */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { FlowEnvironment } from '../core/select-flow.js';

export function probeFlowEnvironment(env: Readonly<Record<string, string | undefined>>): FlowEnvironment {
  const onWsl = Boolean(env.WSL_DISTRO_NAME || env.WSL_INTEROP);
  return {
    platform: process.platform,
    env,
    // Only looked up on WSL, where `open` needs one of these to reach the Windows browser.
    wslHasOpener: onWsl && ['wslview', 'powershell.exe'].some((name) => onPath(name, env.PATH)),
  };
}

/** Whether an executable of this name is in one of the PATH directories. */
export function onPath(name: string, path: string | undefined): boolean {
  return (path ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
