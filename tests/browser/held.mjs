// held.mjs BASE LIST ID - a moderator approves a held post in the panel of
// listweb, in the real Chromium (driven by tests/e2e/t-exim-moderation.sh,
// which checks the members' Maildirs afterwards).
//
// Logs in as "mod" ($RF_MODPW); the list's panel links to its held posts;
// the held post shows its sender, subject and reasons, never its text
// ($RF_SECRET_LINE); a POST without the CSRF token is 403; the Approve
// button sends it and the page says to how many members.
import { launch, newPage, ok, eq, done } from './harness.mjs';

const [base, list, id] = process.argv.slice(2);
const browser = await launch();
try {
  const w = await newPage(browser, base);
  await w.page.goto(`/m/${list}/held`);
  ok(w.page.url().includes('/login'), 'the held posts without a session lead to the login page', w.page.url());
  await w.page.fill('#user', 'mod');
  await w.page.fill('#password', process.env.RF_MODPW);
  await Promise.all([w.page.waitForNavigation(), w.page.click('#submit')]);
  eq('after the login: back to the held posts', `${base}/m/${list}/held`, w.page.url());
  await w.page.goto(`/m/${list}/`);
  await Promise.all([w.page.waitForNavigation(), w.page.click('#held-link')]);
  eq('the panel links to the held posts', `${base}/m/${list}/held`, w.page.url());
  eq('one post held', '1 post held', (await w.page.textContent('#held-count')).trim());
  const row = `#held-${id}`;
  eq('the held post is listed by its number', 1, await w.page.locator(row).count());
  ok((await w.page.textContent(`${row} .from`)).includes('stranger@other.test'), 'with its sender');
  eq('with its subject', 'Held for the panel', (await w.page.textContent(`${row} .subject`)).trim());
  ok((await w.page.textContent(`${row} .reasons`)).includes('is not a member'), 'and why it is held');
  ok(!(await w.page.content()).includes(process.env.RF_SECRET_LINE), 'its text is not on the page');
  const r = await w.context.request.post(`/m/${list}/held`, { form: { id, action: 'approve' } });
  eq('a POST without the CSRF token: 403', 403, r.status());
  const [resp] = await Promise.all([w.page.waitForNavigation(), w.page.click(`#approve-${id}`)]);
  eq('approve: 200', 200, resp.status());
  eq('the page says it went to the members', `Post ${id} approved: 3 copies sent.`,
     (await w.page.textContent('#message')).trim());
  eq('and nothing is held any more', '0 posts held', (await w.page.textContent('#held-count')).trim());
  eq('no dialog opened', 0, w.dialogs.length);
  eq('no request left for another host', 0, w.foreign.length);
} finally {
  await browser.close();
}
done();
