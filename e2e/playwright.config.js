// Playwright drives Debian's Chromium (no browser downloads) against the real
// minside binary. Stub until the server exists: set MINSIDE_E2E_URL to a running
// server (e.g. `make run`), or let webServer start one via MINSIDE_E2E_CMD.
import { defineConfig } from '@playwright/test';

const baseURL = process.env.MINSIDE_E2E_URL || 'http://127.0.0.1:8080';

export default defineConfig({
  testDir: '.',
  testMatch: /.*\.spec\.js$/,
  timeout: 30_000,
  workers: 1,
  reporter: 'list',
  use: {
    baseURL,
    viewport: { width: 390, height: 844 },
    launchOptions: {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
  webServer: process.env.MINSIDE_E2E_CMD
    ? { command: process.env.MINSIDE_E2E_CMD, url: `${baseURL}/readyz`, reuseExistingServer: true, timeout: 120_000 }
    : undefined,
});
