/**
 * Whether a process exists, and when it started: what tells a lock holder from a later process that was given the
 * same PID (src/core/login-coordination.ts, holderIsAlive).
 *
 * Linux: field 22 of /proc/PID/stat (starttime, in clock ticks since boot), read the same way by the holder for
 * itself and by a waiter for the holder, so the opaque strings compare exactly. Elsewhere (macOS, Windows) the start
 * time would cost a child process (`ps`, PowerShell) on every lock, and a wrong answer would take a live holder's
 * lock: it is left unknown there, and the holder's announced deadline bounds a reused PID as before.
 */
import { readFileSync } from 'node:fs';
import type { ObservedProcess } from '../core/login-coordination.js';

/** The start time of a process as /proc/PID/stat says it, or undefined where there is no such file. */
export function processStartTime(pid: number): string | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // "PID (COMM) STATE PPID …": COMM may hold spaces and parentheses, so the fields are counted after the last
    // ')'. Field 3 (STATE) is the first after it; starttime is field 22.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const started = fields[22 - 3];
    return started && /^\d+$/.test(started) ? started : undefined;
  } catch {
    return undefined;
  }
}

export function observeProcess(pid: number): ObservedProcess {
  return { alive: processExists(pid), started: processStartTime(pid) };
}

/** kill(pid, 0) sends nothing: it only asks whether the process exists (EPERM: it does, as another user). */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
