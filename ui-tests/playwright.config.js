/**
 * Playwright configuration of the orchest-lab browser tests.
 *
 * Galata's defaults, run against the system Chromium (Debian's
 * /usr/bin/chromium, or CHROMIUM_PATH): no browser is ever downloaded.
 * Playwright starts and stops the Jupyter server (port 8899, so that `make lab`
 * on 8888 can stay up) itself.
 */
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

// UI_TEST_PORT lets two test runs share a machine.
const port = process.env.UI_TEST_PORT || '8899';

module.exports = {
  ...baseConfig,
  testDir: './tests',
  // No retries: a test that fails once waits on time rather than on a state, and a retry
  // would hide that.
  retries: 0,
  reporter: [['list']],
  use: {
    ...baseConfig.use,
    baseURL: `http://localhost:${port}`,
    video: 'off',
    screenshot: 'only-on-failure',
    trace: 'off',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync'
      ]
    }
  },
  webServer: {
    command: 'jupyter lab --config jupyter_server_test_config.py',
    url: `http://localhost:${port}/lab`,
    timeout: 120 * 1000,
    reuseExistingServer: false
  }
};
