/**
 * What a login flow builds its options from beside the flags (each flow does so next to itself: authcodeOptions,
 * deviceCodeOptions, …): the step of the plan it runs (core/select-flow.ts), the login's deadline, the person at the
 * terminal, the key's login record. Filled in by the Authenticator (src/app/authenticator.ts).
 */
import type { KeyLock, Logger, LoginRecordStore } from '../core/ports.js';
import type { FlowStep } from '../core/select-flow.js';
import type { TerminalInfo } from '../platform/status-line.js';

export interface FlowRun {
  readonly step: FlowStep;
  /** When the login gives up (ms since the epoch): its start + --authentication-timeout-sec. */
  readonly deadline: number;
  /** From KUBERNETES_EXEC_INFO: false when kubectl has no terminal for us, undefined on a manual run. */
  readonly interactive: boolean | undefined;
  /** The key's login record (get-token): its device code, how long the lock's holder will be. setup has none. */
  readonly record: LoginRecordStore | undefined;
  /** The provider's browser slot (see AuthCodeOptions), made when the browser flow starts; setup has none. */
  readonly browserSlot: (() => KeyLock) | undefined;
  readonly terminal: TerminalInfo;
  readonly logger: Logger;
}

/** Whether a person can answer on the terminal: kubectl said so, or a manual run in a terminal. */
export function personAtTerminal(interactive: boolean | undefined): boolean {
  return interactive === true || (interactive === undefined && process.stdin.isTTY);
}
