// Playwright drives Debian's Chromium (no browser downloads) against the REAL minside
// binary: global-setup.js starts $MINSIDE_BIN (default bin/minside) on a free loopback
// port with a temporary SQLite database and demo data, and stops it afterwards.
// Run: `make e2e` (builds the binary first) or `MINSIDE_BIN=bin/minside npm run e2e`.
import { defineConfig } from '@playwright/test';

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run',
];

export default defineConfig({
  testDir: '.',
  testMatch: /.*\.spec\.js$/,
  globalSetup: './global-setup.js',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: Number(process.env.E2E_WORKERS || 2),
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['./summary-reporter.js']],
  use: {
    viewport: { width: 390, height: 844 },
    locale: 'nb-NO',
    timezoneId: 'Europe/Oslo',
    launchOptions: {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
    },
    trace: 'off',
    screenshot: 'only-on-failure',
  },
  outputDir: process.env.E2E_OUTPUT_DIR || '/tmp/minside-e2e-results',
});
