/**
 * setup's checklist: one line per check it made (passed, warning, failed) with what to do about it, on stderr. The
 * checks themselves are ./discovery-checks.ts, ./token-checks.ts, ./cluster-verdict.ts and app/setup/'s steps.
 */

export type CheckStatus = 'passed' | 'warning' | 'failed';

export interface Check {
  readonly step: string;
  readonly status: CheckStatus;
  readonly detail: string;
  /** What to do about a warning or failure. */
  readonly fix?: string;
}

export function renderChecklist(checks: readonly Check[]): string {
  const mark = { passed: '✓', warning: '!', failed: '✗' } as const;
  return checks
    .map(
      (check) =>
        `${mark[check.status]} ${check.step}: ${check.detail}${check.fix ? `\n    fix: ${check.fix}` : ''}`,
    )
    .join('\n')
    .concat('\n');
}
