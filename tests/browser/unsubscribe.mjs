// unsubscribe.mjs URL - a member opens the one-click unsubscribe link of
// their copy in the real Chromium: the page names the list, runs no
// script and loads nothing from elsewhere; its button unsubscribes.
import { launch, newPage, ok, eq, done } from './harness.mjs';

const link = new URL(process.argv[2]);
const base = `${link.protocol}//${link.host}`;
const browser = await launch();
try {
  const w = await newPage(browser, base);
  const resp = await w.page.goto(link.pathname);
  eq('GET of the link answers 200', 200, resp.status());
  const csp = resp.headers()['content-security-policy'] || '';
  ok(/default-src 'none'/.test(csp) && /frame-ancestors 'none'/.test(csp),
     'the page has a strict Content-Security-Policy', csp);
  eq('the page is the unsubscribe page', 'Unsubscribe', (await w.page.textContent('h1')).trim());
  ok((await w.page.textContent('body')).includes('dev@lists.test'), 'it names the list');
  eq('it has one button', 1, await w.page.locator('button#unsubscribe').count());
  await Promise.all([w.page.waitForNavigation(), w.page.click('button#unsubscribe')]);
  eq('after the click: unsubscribed', 'Unsubscribed', (await w.page.textContent('h1')).trim());
  ok((await w.page.textContent('body')).includes('has left'), 'the page says the address has left');
  eq('no dialog opened', 0, w.dialogs.length);
  eq('no request left for another host', 0, w.foreign.length);
} finally {
  await browser.close();
}
done();
