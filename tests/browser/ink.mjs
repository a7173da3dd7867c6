// ink.mjs LINK PHASE - a member follows the link of a Disappearing Ink
// notice in the real Chromium (driven by tests/lib/ink.sh).
//
//   read   the link asks for the list's web user and password; a wrong one
//          is refused; the right one shows the post (its subject, its text
//          with markup as text, its attachment as a download whose bytes
//          are the original's); a reload shows it again (viewing consumes
//          nothing); no script ran, nothing left for another host
//   gone   past the expiry: 410 Gone with a plain explanation, no login
//
// Environment: RF_WEBPW (the list's web password), RF_SUBJECT, RF_PHRASE (a
// phrase of the post's text), RF_FILE_NAME and RF_FILE_SHA256 (its one
// attachment).  Every cookie value is appended to $RF_SECRETS.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { launch, newPage, ok, eq, done } from './harness.mjs';

const link = new URL(process.argv[2]);
const phase = process.argv[3];
const base = `${link.protocol}//${link.host}`;
const env = process.env;

async function text(w, sel) { return ((await w.page.textContent(sel)) || '').trim(); }
async function rememberCookies(w) {
  if (!env.RF_SECRETS) return;
  for (const c of await w.context.cookies()) fs.appendFileSync(env.RF_SECRETS, c.value + '\n');
}

const browser = await launch();
try {
  const w = await newPage(browser, base);
  if (phase === 'read') {
    await w.page.goto(link.pathname);
    ok(w.page.url().startsWith(`${base}/login?`), 'the link without a session leads to the login page',
       w.page.url());
    eq('the login page', 'Log in', await text(w, 'h1'));
    eq('the form names the list', 'dev@lists.test', await w.page.inputValue('input[name=list]'));
    // a wrong password
    await w.page.fill('#user', 'readers');
    await w.page.fill('#password', 'not the password');
    await Promise.all([w.page.waitForNavigation(), w.page.click('#submit')]);
    eq('a wrong password: the login page again', 'Log in', await text(w, 'h1'));
    eq('it says so', 'Wrong user name or password.', await text(w, '#message'));
    eq('no session', 0, (await w.context.cookies()).filter((c) => c.name === 'rf_session').length);
    ok(!(await w.page.content()).includes(env.RF_PHRASE), 'and nothing of the post');
    // the right one
    await w.page.fill('#user', 'readers');
    await w.page.fill('#password', env.RF_WEBPW);
    const [resp] = await Promise.all([w.page.waitForNavigation(), w.page.click('#submit')]);
    await rememberCookies(w);
    eq('logged in: back at the link', link.href, w.page.url());
    eq('the page answers 200', 200, resp.status());
    const csp = resp.headers()['content-security-policy'] || '';
    ok(/default-src 'none'/.test(csp), 'a strict Content-Security-Policy', csp);
    eq('no caching', 'no-store', resp.headers()['cache-control']);
    eq('its title is the subject', env.RF_SUBJECT, await text(w, 'h1'));
    eq('the header table: the subject', env.RF_SUBJECT, await text(w, '#subject'));
    ok((await text(w, '#from')).includes('poster@other.test'), 'the header table: the author');
    const shown = await text(w, '#body');
    ok(shown.includes(env.RF_PHRASE), 'the text of the post is shown', shown.slice(0, 200));
    ok(shown.includes('<b>not bold</b>'), 'its markup is shown as text');
    eq('no element of the post became HTML', 0, await w.page.locator('#body b, #body script').count());
    ok((await text(w, '#ink-until')).match(/until \d{4}-\d\d-\d\d \d\d:\d\d UTC/),
       'the page says until when it is readable', await text(w, '#ink-until'));
    eq('one attachment is listed', 1, await w.page.locator('#files li').count());
    eq('by its name', env.RF_FILE_NAME, await text(w, '#file-1'));
    const [download] = await Promise.all([w.page.waitForEvent('download'), w.page.click('#file-1')]);
    eq('the download is named as the file', env.RF_FILE_NAME, download.suggestedFilename());
    const saved = await download.path();
    const sha = crypto.createHash('sha256').update(fs.readFileSync(saved)).digest('hex');
    eq('the downloaded bytes are the original ones (sha256)', env.RF_FILE_SHA256, sha);
    const again = await w.page.reload();
    eq('a reload shows the post again', 200, again.status());
    ok((await text(w, '#body')).includes(env.RF_PHRASE), 'with its text');
    eq('no dialog opened', 0, w.dialogs.length);
    eq('no request left for another host', 0, w.foreign.length);
  } else if (phase === 'gone') {
    const resp = await w.page.goto(link.pathname);
    eq('past the expiry: 410 Gone', 410, resp.status());
    eq('the page says it is gone', 'Gone', await text(w, 'h1'));
    ok((await text(w, '#message')).includes('It has disappeared'), 'and why, plainly',
       await text(w, '#message'));
    ok(!w.page.url().includes('/login'), 'without asking for a password');
    ok(!(await w.page.content()).includes(env.RF_PHRASE), 'nothing of the post');
  } else {
    ok(false, `unknown phase ${phase}`);
  }
} finally {
  await browser.close();
}
done();
