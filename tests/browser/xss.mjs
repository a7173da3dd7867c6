// xss.mjs BASE LIST EXPECT.json - every archive page that shows the posts of
// the XSS corpus (tests/e2e/t-web-xss.sh), opened in the real Chromium:
// no dialog opens, no request leaves for a foreign host, no element of
// the mail's markup is in the page, and each payload is visible as text.
//
// EXPECT.json: [{ "subject": "...", "texts": ["payload seen on the post's page", ...] }]
import fs from 'node:fs';
import { launch, newPage, ok, eq, done } from './harness.mjs';

const [base, list, expectFile] = process.argv.slice(2);
const expect = JSON.parse(fs.readFileSync(expectFile, 'utf8'));
const browser = await launch();
const pages = [];

// what a page may hold: our own elements only
const forbidden = 'script, iframe, img, svg, object, embed, video, audio, main a[href^="javascript"], ' +
                  '[onerror], [onload], [onclick], [onmouseover], [style], main table td:not(#headers td)';

async function visit(w, path, what) {
  const resp = await w.page.goto(path);
  await w.page.waitForLoadState('load');
  await w.page.evaluate(() => new Promise((r) => setTimeout(r, 100)));  // onerror handlers
  pages.push(path);
  ok(resp.status() === 200, `${what}: 200`, `${path}: ${resp.status()}`);
  eq(`${what}: no foreign markup in the page`, 0, await w.page.locator(forbidden).count());
  return resp;
}

try {
  const w = await newPage(browser, base);
  await visit(w, `/l/${list}/`, 'the months');
  const month = (await w.page.locator('#months a.month').first().textContent()).trim();
  await visit(w, `/l/${list}/${month}/`, 'the month');
  const rows = await w.page.locator('#posts li a.subject').evaluateAll(
      (as) => as.map((a) => ({ href: a.getAttribute('href'), subject: a.textContent })));
  eq('the month lists every post of the corpus', expect.length, rows.length);
  for (const e of expect)
    ok(rows.some((r) => r.subject === e.subject), `the month shows the subject as text: ${JSON.stringify(e.subject)}`);
  for (const e of expect) {
    const row = rows.find((r) => r.subject === e.subject);
    if (!row) continue;
    await visit(w, row.href, `post ${JSON.stringify(e.subject).slice(0, 40)}`);
    eq('its subject shown as text', e.subject, (await w.page.textContent('#subject')).trim());
    const all = await w.page.textContent('main');
    for (const t of e.texts)
      ok(all.includes(t), `the payload is visible as text: ${JSON.stringify(t)}`);
    const threadHref = await w.page.getAttribute('#thread-link', 'href');
    await visit(w, threadHref, 'its thread');
    ok((await w.page.locator('#thread a.subject').allTextContents()).includes(e.subject),
       'the thread shows the subject as text');
  }
  for (const q of ['alert', 'onerror', 'javascript', 'foreign', '<script>alert(1)</script>',
                   '"><svg onload=alert(1)>']) {
    await visit(w, `/l/${list}/search?q=${encodeURIComponent(q)}`, `search ${JSON.stringify(q)}`);
    eq('the query is echoed as text in the search box', q, await w.page.inputValue('#q'));
    if (/^[a-z]+$/.test(q))
      ok(Number((await w.page.textContent('#count')).trim()) > 0, `search ${q}: finds posts`);
    eq('only <mark> in the snippets', 0,
       await w.page.locator('.snippet *:not(mark)').count());
  }
  eq(`no dialog opened on any of ${pages.length} pages`, 0, w.dialogs.length);
  if (w.dialogs.length) console.log(`# dialogs: ${JSON.stringify(w.dialogs)}`);
  eq('no request left for a foreign host', 0, w.foreign.length);
  if (w.foreign.length) console.log(`# foreign: ${JSON.stringify(w.foreign)}`);
} finally {
  await browser.close();
}
done();
