// confirm.mjs URL - the address concerned opens the link of a
// confirmation message in the real Chromium: the page says what it would
// do, runs no script and loads nothing from elsewhere; its button does it.
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
  eq('the page asks to confirm', 'Confirm', (await w.page.textContent('h1')).trim());
  ok((await w.page.textContent('#question')).includes('dev@lists.test'), 'it names the list');
  eq('it has one button', 1, await w.page.locator('button#confirm').count());
  ok(!link.pathname.includes('token='), 'the token is in the path of the link only');
  await Promise.all([w.page.waitForNavigation(), w.page.click('button#confirm')]);
  eq('after the click: confirmed', 'Confirmed', (await w.page.textContent('h1')).trim());
  ok((await w.page.textContent('#done')).includes('is subscribed'), 'the page says the address is subscribed');
  eq('the form went to /c/, not to the link', '/c/', new URL(w.page.url()).pathname);
  eq('no dialog opened', 0, w.dialogs.length);
  eq('no request left for another host', 0, w.foreign.length);
} finally {
  await browser.close();
}
done();
