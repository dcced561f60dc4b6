/**
 * Executable used as --browser-command in the end-to-end tests: opens the URL in Debian's headless Chromium
 * (driven by playwright-core) and logs in as RIG_LOGIN through the provider's pages, like a person clicking. Handles
 * the browser flow (login, consent, redirect to the plugin) and the device flow (confirm code, login, consent).
 * Writes its steps to RIG_DRIVER_LOG and, when RIG_SCREENSHOT is set, a screenshot of the last page there.
 */
import { chromium } from 'playwright-core';
import { openDriverLog } from './driver-log.js';

export const chromiumPath = '/usr/bin/chromium';
const url = process.argv[2] as string;
const driverLog = openDriverLog(process.env.RIG_DRIVER_LOG);
const log = driverLog.log;

async function main(): Promise<void> {
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    // This machine's network is closed: keep Chromium from reaching out (see shared/FIELD-NOTES.md).
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const page = await browser.newPage();
    await page.goto(url);
    // Where the URL led: the provider's login page, or its device page (the plugin's start URL redirects there at once).
    const providerOrigin = new URL(page.url()).origin;
    for (let step = 0; step < 12; step++) {
      await page.waitForLoadState('load');
      const here = new URL(page.url());
      log(`at ${here.origin}${here.pathname}`);
      if (here.origin !== providerOrigin) break; // the plugin's callback page (or --open-url-after-authentication)
      if (await page.locator('input[name="login"]').count()) {
        await page.fill('input[name="login"]', process.env.RIG_LOGIN ?? 'alice');
        await page.fill('input[name="password"]', process.env.RIG_PASSWORD ?? 'any-password');
      }
      const submit = page.locator('button[type="submit"]').first();
      if (!(await submit.count())) break; // a page with nothing to click: the device flow's success page
      await Promise.all([page.waitForNavigation(), submit.click()]);
    }
    const text = (await page.locator('body').innerText()).replace(/\s+/g, ' ').trim();
    if (process.env.RIG_SCREENSHOT) await page.screenshot({ path: process.env.RIG_SCREENSHOT });
    // Last, so a reader that sees this line also finds the screenshot.
    log(`final page: ${text.slice(0, 200)}`);
  } finally {
    await browser.close();
  }
}

main().then(
  () => driverLog.exit(0),
  (error: unknown) => {
    log(`failed: ${(error as Error).message}`);
    driverLog.exit(1);
  },
);
