/**
 * The loopback hijack with a real browser: another program listens on [::1]:8000 before the login starts. Chromium
 * tries ::1 first for `localhost`, so a callback server that owned only 127.0.0.1:8000 handed that program the
 * authorization code. The plugin must move to a port it owns on both families. Binds the default ports: run in a
 * private network namespace.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chromiumDriverPath } from '../rig/build.js';
import { readDriverLog } from '../rig/driver-log.js';
import { getTokenArgs, runPlugin, tempDir } from '../rig/plugin.js';
import { requirement } from '../rig/requirement.js';
import { startSquatter } from '../rig/squatter.js';
import { useRigProvider } from '../rig/use-provider.js';

const chromium = '/usr/bin/chromium';
const haveChromium = existsSync(chromium);
requirement(haveChromium, {
  underCi: `${chromium} is required for the browser tests under CI=true (apt-get install chromium)`,
  skipping: `the loopback hijack test: ${chromium} is missing (apt-get install chromium)`,
});

describe.skipIf(!haveChromium)('a program on [::1]:8000 and a real browser', () => {
  const provider = useRigProvider();

  it('never receives the authorization code', async () => {
    const squatter = startSquatter('::1', 8000);
    try {
      expect(await squatter.bound).toBe('listening');
      const dir = tempDir('hijack');
      const log = join(dir, 'driver.log');
      const result = await runPlugin(
        getTokenArgs(provider.issuer, {
          cacheDir: join(dir, 'cache'),
          browser: chromiumDriverPath,
          extra: ['--grant-type=authcode', '--authentication-timeout-sec=30'],
        }),
        { RIG_DRIVER_LOG: log },
      );
      // The browser may still be on the callback page when the plugin exits: wait for it before judging.
      const steps = await readDriverLog(log).catch((error: Error) => error.message);
      expect(squatter.requests.filter((url) => url.includes('code='))).toEqual([]);
      expect(result.code, `${result.stderr}\n${steps}`).toBe(0);
      expect(result.stderr).toContain('another program listens on [::1]:8000');
    } finally {
      await squatter.close();
    }
  });
});
