// harness-selftest.mjs BASE_URL - the watch of harness.mjs catches what the
// XSS tests rely on it to catch: a page with a script that opens a dialog
// and loads from a foreign host is caught; a clean page is not.
import { launch, newPage, ok, eq, done } from './harness.mjs';

const base = process.argv[2];
const browser = await launch();
try {
  const bad = await newPage(browser, base);
  await bad.page.goto('/bad.html');
  await bad.page.waitForLoadState('networkidle');
  eq('the dialog of an inline script is caught', 'xss-canary', bad.dialogs[0]);
  ok(bad.foreign.some((u) => u.startsWith('http://foreign.invalid/')),
     'a load from a foreign host is caught and aborted', JSON.stringify(bad.foreign));

  const good = await newPage(browser, base);
  await good.page.goto('/good.html');
  await good.page.waitForLoadState('networkidle');
  eq('a clean page opens no dialog', 0, good.dialogs.length);
  eq('a clean page loads nothing foreign', 0, good.foreign.length);
  eq('the clean page rendered', 'hello', (await good.page.textContent('h1')).trim());
} finally {
  await browser.close();
}
done();
