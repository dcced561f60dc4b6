/**
 * Something a test file needs that a machine may lack (root, kubectl, Chromium). Under CI=true its absence fails the
 * run, since .ci/run installs everything; elsewhere the file's tests skip with one loud `***` line, which
 * vitest.config.mts lets through to the console. Returns whether it is present, for `describe.skipIf`.
 */
export function requirement(present: boolean, missing: { underCi: string; skipping: string }): boolean {
  if (!present) {
    if (process.env.CI === 'true') throw new Error(missing.underCi);
    console.warn(`\n*** SKIPPING ${missing.skipping} ***\n`);
  }
  return present;
}
