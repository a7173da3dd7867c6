// redelivery.mjs URL SUBJECT TEXT - a member opens the link of their
// Bounce Redelivery notice in the real Chromium: the page shows the post
// their provider refused (SUBJECT, and TEXT in its body) as text, runs no
// script from it and loads nothing from elsewhere.
import { launch, newPage, ok, eq, done } from './harness.mjs';

const link = new URL(process.argv[2]);
const subject = process.argv[3];
const text = process.argv[4];
const base = `${link.protocol}//${link.host}`;
const browser = await launch();
try {
  const w = await newPage(browser, base);
  const resp = await w.page.goto(link.pathname);
  eq('GET of the link answers 200', 200, resp.status());
  const csp = resp.headers()['content-security-policy'] || '';
  ok(/default-src 'none'/.test(csp), 'the page has a strict Content-Security-Policy', csp);
  eq('the page is the redelivery page', 'Messages you missed', (await w.page.textContent('h1')).trim());
  ok((await w.page.textContent('body')).includes('dev@lists.test'), 'it names the list');
  eq('it shows exactly one post', 1, await w.page.locator('article.post').count());
  eq('the post is the refused one (its subject)', subject,
     (await w.page.textContent('article.post h2')).trim());
  const shown = await w.page.textContent('article.post pre.text');
  ok(shown.includes(text), 'its text is shown', shown.slice(0, 200));
  ok(shown.includes('<script>'), 'markup in the post is shown as text, not run');
  eq('no element of the post became HTML', 0, await w.page.locator('article.post pre b, article.post script').count());
  eq('no dialog opened', 0, w.dialogs.length);
  eq('no request left for another host', 0, w.foreign.length);
} finally {
  await browser.close();
}
done();
