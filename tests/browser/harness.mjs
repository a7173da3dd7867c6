// harness.mjs - drive Debian's headless Chromium for reflector's browser
// tests (playwright-core, no browser download: /usr/bin/chromium).
//
// Every page opened through newPage() is watched: a JavaScript dialog
// (alert/confirm/prompt) is recorded and dismissed, and a request to any
// host but the server under test is recorded and aborted, so a test can
// prove that no script from mail ran and nothing left for a foreign host.
// Output is TAP-like ("ok - ...", "not ok - ..."), ended by done(), which
// prints "N passed, N failed" and sets the exit code.
//
//   RF_NODE_MODULES  where playwright-core is installed
//                    (default /opt/reflector-test/browser/node_modules,
//                    put there by contrib/install-deps.sh)
//   RF_CHROMIUM      the browser (default /usr/bin/chromium)
import { createRequire } from 'node:module';
import path from 'node:path';
import fs from 'node:fs';

const modules = process.env.RF_NODE_MODULES || '/opt/reflector-test/browser/node_modules';
const chromiumPath = process.env.RF_CHROMIUM || '/usr/bin/chromium';
for (const [what, p] of [['playwright-core', path.join(modules, 'playwright-core')],
                         ['chromium', chromiumPath]]) {
  if (!fs.existsSync(p)) {
    console.log(`not ok - missing ${what} at ${p} (run the README's test command to install it)`);
    process.exit(1);
  }
}
const require = createRequire(path.join(modules, 'noop.js'));
const { chromium } = require('playwright-core');

let passed = 0, failed = 0;
export function ok(cond, desc, detail) {
  if (cond) { passed++; console.log(`ok - ${desc}`); }
  else { failed++; console.log(`not ok - ${desc}${detail !== undefined ? ` (${detail})` : ''}`); }
  return cond;
}
export function eq(desc, expected, actual) {
  return ok(expected === actual, desc, `expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}
export function done() {
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

// launch(): the browser; close it with browser.close()
export async function launch() {
  const args = ['--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking'];
  if (process.getuid && process.getuid() === 0) args.push('--no-sandbox');
  return chromium.launch({ executablePath: chromiumPath, headless: true, args });
}

// newPage(browser, baseUrl): a fresh context (no cookies) and page; the
// returned watch has .dialogs (messages) and .foreign (URLs)
export async function newPage(browser, baseUrl) {
  const allowed = new URL(baseUrl).host;
  const context = await browser.newContext({ baseURL: baseUrl, javaScriptEnabled: true });
  const watch = { dialogs: [], foreign: [], context };
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if ((url.protocol === 'http:' || url.protocol === 'https:') && url.host !== allowed) {
      watch.foreign.push(url.href);
      return route.abort();
    }
    return route.continue();
  });
  const page = await context.newPage();
  page.on('dialog', async (d) => { watch.dialogs.push(d.message()); await d.dismiss(); });
  watch.page = page;
  return watch;
}
