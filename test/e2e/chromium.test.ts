/**
 * A real browser: Debian's Chromium, driven by playwright-core, is the --browser-command for the browser login and
 * opens the device verification page for the device flow. Under CI=true a missing Chromium fails the run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { chromiumDriverPath } from '../rig/build.js';
import { readDriverLog } from '../rig/driver-log.js';
import { getTokenArgs, parseCredential, runPlugin, tempDir } from '../rig/plugin.js';
import { requirement } from '../rig/requirement.js';
import { useRigProvider } from '../rig/use-provider.js';

const chromium = '/usr/bin/chromium';
const haveChromium = existsSync(chromium);
requirement(haveChromium, {
  underCi: `${chromium} is required for the browser tests under CI=true (apt-get install chromium)`,
  skipping: `the Chromium tests: ${chromium} is missing (apt-get install chromium)`,
});

describe.skipIf(!haveChromium)('Chromium as the browser', () => {
  const provider = useRigProvider();

  for (const flow of ['authcode', 'device-code'] as const) {
    it(`completes the ${flow} login in a real browser`, async () => {
      const dir = tempDir('chromium');
      const log = join(dir, 'driver.log');
      const result = await runPlugin(
        getTokenArgs(provider.issuer, {
          cacheDir: join(dir, 'cache'),
          browser: chromiumDriverPath,
          extra: ['--oidc-extra-scope=email,groups', `--grant-type=${flow}`],
        }),
        { RIG_DRIVER_LOG: log, RIG_SCREENSHOT: join(dir, 'last-page.png') },
      );
      expect(result.code, `${result.stderr}\n${existsSync(log) ? readFileSync(log, 'utf8') : ''}`).toBe(0);
      expect(decodeJwt(parseCredential(result.stdout).token)).toMatchObject({
        sub: 'alice',
        email: 'alice@example.com',
      });
      // The plugin exits as soon as the callback arrives; the browser driver finishes a moment later.
      const steps = await readDriverLog(log);
      if (flow === 'authcode') {
        expect(steps).toContain('at http://localhost:8000/');
        expect(steps).toContain('final page: Logged in You are logged in.');
      } else {
        expect(steps).toMatch(/final page: .*(Sign-in Success|success)/i);
      }
      expect(existsSync(join(dir, 'last-page.png'))).toBe(true);
    });
  }
});
