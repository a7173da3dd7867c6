// archive.mjs BASE PHASE [STATE] - login, sessions and the archive pages of
// listweb in the real Chromium (driven by tests/e2e/t-web-archive.sh).
//
//   main      wrong password, log in as the list's web user, browse months,
//             a month, a post, its thread, search with paging, the mbox
//             link; CSRF refusals; logout; a moderator may read, a user
//             without a role may not; ends logged in, saving the cookies to
//             STATE (for the expiry phases)
//   alive     with the cookies of STATE: still logged in (and touched)
//   expired   with the cookies of STATE: sent to the login page
//   login     log in and save the cookies to STATE
//   throttle  account lockout, then the IP blocklist
// Every secret seen (cookie values, CSRF tokens) is appended to
// $RF_SECRETS, which the shell then greps the logs and the database for.
import fs from 'node:fs';
import { launch, newPage, ok, eq, done } from './harness.mjs';

const [base, phase, stateFile] = process.argv.slice(2);
const secrets = process.env.RF_SECRETS;
const WEBPW = process.env.RF_WEBPW, MODPW = process.env.RF_MODPW, OTHERPW = process.env.RF_OTHERPW;
const LIST = 'dev@lists.test';

function remember(...values) {
  if (secrets) fs.appendFileSync(secrets, values.filter(Boolean).map((v) => v + '\n').join(''));
}
async function rememberCookies(w) {
  for (const c of await w.context.cookies()) remember(c.value);
}

async function login(w, user, password, path = `/l/${LIST}/`) {
  await w.page.goto(path);
  ok(w.page.url().includes('/login'), `${path} without a session leads to the login page`, w.page.url());
  remember(await w.page.inputValue('input[name=csrf]'));
  await w.page.fill('#user', user);
  await w.page.fill('#password', password);
  const [resp] = await Promise.all([w.page.waitForNavigation(), w.page.click('#submit')]);
  await rememberCookies(w);
  return resp;
}

async function text(w, sel) { return ((await w.page.textContent(sel)) || '').trim(); }

const browser = await launch();
try {
  if (phase === 'main') {
    const w = await newPage(browser, base);
    // --- wrong password
    await login(w, 'readers', 'not the password');
    eq('wrong password: the login page again', 'Log in', await text(w, 'h1'));
    eq('wrong password: says so', 'Wrong user name or password. After repeated failures a name is refused for a while: try again later.', await text(w, '#message'));
    eq('wrong password: no session cookie', 0,
       (await w.context.cookies()).filter((c) => c.name === 'rf_session').length);
    // --- the list's web user
    await w.page.fill('#user', 'readers');
    await w.page.fill('#password', WEBPW);
    await Promise.all([w.page.waitForNavigation(), w.page.click('#submit')]);
    await rememberCookies(w);
    eq('logged in: back at the archive', `${base}/l/${LIST}/`, w.page.url());
    const cookie = (await w.context.cookies()).find((c) => c.name === 'rf_session');
    ok(cookie !== undefined, 'a session cookie is set');
    ok(cookie && cookie.httpOnly && cookie.sameSite === 'Strict' && cookie.path === '/',
       'the cookie is HttpOnly, SameSite=Strict, Path=/', JSON.stringify(cookie));
    ok(cookie && !cookie.secure, 'and not Secure on an http base URL');
    eq('the header names the account', `Logged in as ${LIST}`, await text(w, '#who'));
    const csrf = await w.page.inputValue('#logout-form input[name=csrf]');
    remember(csrf);
    // --- browse
    eq('the archive page is the list', LIST, await text(w, 'h1'));
    const months = await w.page.locator('#months li a.month').allTextContents();
    eq('one month', 1, months.length);
    const month = months[0];
    ok(/^\d{4}-\d\d$/.test(month), 'named YYYY-MM', month);
    eq('with all posts counted', process.env.RF_NPOSTS, await text(w, '#months .count'));
    eq('an mbox link for the month', `/l/${LIST}/${month}.mbox`,
       await w.page.getAttribute('#months a.mbox', 'href'));
    await Promise.all([w.page.waitForNavigation(), w.page.click('#months a.month')]);
    eq('the month page', `${LIST}, ${month}`, await text(w, 'h1'));
    const subjects = await w.page.locator('#posts li a.subject').allTextContents();
    eq('lists every post', Number(process.env.RF_NPOSTS), subjects.length);
    ok(subjects.includes('[dev] Airship schedule'), 'the first post is there', subjects.slice(0, 3).join('|'));
    await Promise.all([w.page.waitForNavigation(),
                       w.page.click('#posts li a.subject >> text="[dev] Airship schedule"')]);
    eq('message view: the subject', '[dev] Airship schedule', await text(w, '#subject'));
    eq('message view: the sender', 'Poster <poster@other.test>', await text(w, '#from'));
    ok((await text(w, '#date')).length > 10, 'message view: the date');
    ok((await text(w, '#body')).includes('The airship leaves at noon.'), 'message view: the text');
    await Promise.all([w.page.waitForNavigation(), w.page.click('#thread-link')]);
    const thread = await w.page.locator('#thread li').allTextContents();
    eq('thread view: the post and its reply', 2, thread.length);
    ok(thread[1].includes('Re: Airship schedule'), 'the reply second', thread.join('|'));
    eq('the reply is indented', 'depth1', await w.page.getAttribute('#thread li >> nth=1', 'class'));
    // the HTML-only post: shown as text, never as HTML
    await w.page.goto(`/l/${LIST}/${month}/`);
    await Promise.all([w.page.waitForNavigation(),
                       w.page.click('#posts li a.subject >> text="[dev] Balloon colours"')]);
    const html = await text(w, '#body');
    ok(html.includes('Red balloons') && html.includes('blue ones'), 'HTML-only post: its text is shown', html);
    eq('and no markup of it reaches the page', 0, await w.page.locator('#body b, #body table').count());
    ok(!html.includes('<b>'), 'nor its tags as text', html);
    // --- search with paging
    await w.page.fill('#q', 'zeppelin');
    await Promise.all([w.page.waitForNavigation(), w.page.click('#search-button')]);
    eq('search: the total', process.env.RF_NZEP, await text(w, '#count'));
    eq('search: the first page holds 20', 20, await w.page.locator('#hits li').count());
    ok((await w.page.locator('#hits .snippet mark').first().textContent()).toLowerCase() === 'zeppelin',
       'search: the word is highlighted with <mark>');
    eq('no previous page on the first', 0, await w.page.locator('#prev').count());
    await Promise.all([w.page.waitForNavigation(), w.page.click('#next')]);
    eq('search: the second page', Number(process.env.RF_NZEP) - 20, await w.page.locator('#hits li').count());
    ok(w.page.url().includes('page=2') && w.page.url().includes('q=zeppelin'), 'paging keeps the query', w.page.url());
    eq('the second page links back', 1, await w.page.locator('#prev').count());
    await w.page.goto(`/l/${LIST}/search?q=${encodeURIComponent('"airship leaves"')}`);
    eq('a phrase search finds the one post', '1', await text(w, '#count'));
    // --- the mbox download
    const mb = await w.page.request.get(`/l/${LIST}/${month}.mbox`);
    eq('mbox: 200', 200, mb.status());
    ok((mb.headers()['content-disposition'] || '').startsWith('attachment'), 'mbox: a download');
    eq('mbox: every post', Number(process.env.RF_NPOSTS), ((await mb.text()).match(/^From /mg) || []).length);
    // --- CSRF: a POST without or with a wrong token is refused
    let r = await w.page.request.post('/logout', { form: {} , maxRedirects: 0 });
    eq('logout without a token: 403', 403, r.status());
    r = await w.page.request.post('/logout', { form: { csrf: 'A'.repeat(csrf.length) }, maxRedirects: 0 });
    eq('logout with a wrong token: 403', 403, r.status());
    r = await w.page.request.post('/login', { form: { user: 'readers', password: WEBPW }, maxRedirects: 0 });
    eq('login without the form token: 403', 403, r.status());
    r = await w.page.request.post('/login', { form: { user: 'readers', password: WEBPW, csrf: 'x' }, maxRedirects: 0 });
    eq('login with a wrong form token: 403', 403, r.status());
    await w.page.goto(`/l/${LIST}/`);
    eq('still logged in after the refused POSTs', `Logged in as ${LIST}`, await text(w, '#who'));
    // --- logout
    await Promise.all([w.page.waitForNavigation(), w.page.click('#logout')]);
    eq('logout: the page says so', 'You are logged out.', await text(w, '#message'));
    eq('logout: the cookie is gone', 0,
       (await w.context.cookies()).filter((c) => c.name === 'rf_session').length);
    await w.page.goto(`/l/${LIST}/`);
    ok(w.page.url().includes('/login'), 'after logout the archive asks for a login again', w.page.url());
    r = await w.context.request.get(`/l/${LIST}/m/1`, { maxRedirects: 0, headers: { Cookie: `rf_session=${cookie.value}` } });
    eq('the old cookie opens nothing', 303, r.status());
    eq('no dialog opened', 0, w.dialogs.length);
    eq('no request left for another host', 0, w.foreign.length);
    await w.context.close();

    // --- with archive_access=password a moderator of the list does not see
    // posts (moderators manage, they do not read); a user without a role neither
    const m = await newPage(browser, base);
    const mresp = await login(m, 'mod', MODPW, `/l/${LIST}/search?q=zeppelin`);
    eq('moderator, archive_access=password: 403', 403, mresp.status());
    eq('and a page that says so', 'Not allowed', await text(m, 'h1'));
    ok(!(await m.page.content()).includes('zeppelin launch'), 'no post on that page');
    await m.context.close();
    const o = await newPage(browser, base);
    const resp = await login(o, 'other', OTHERPW);
    eq('a user without a role: 403', 403, resp.status());
    eq('and a page that says so', 'Not allowed', await text(o, 'h1'));
    await o.context.close();

    // --- ends logged in, for the expiry phases
    const s = await newPage(browser, base);
    await login(s, 'readers', WEBPW);
    eq('logged in again', `Logged in as ${LIST}`, await text(s, '#who'));
    await s.context.storageState({ path: stateFile });
    await s.context.close();
  } else if (phase === 'login') {
    const s = await newPage(browser, base);
    await login(s, 'readers', WEBPW);
    eq('logged in', `Logged in as ${LIST}`, await text(s, '#who'));
    await s.context.storageState({ path: stateFile });
    await s.context.close();
  } else if (phase === 'alive' || phase === 'expired') {
    const context = await browser.newContext({ baseURL: base, storageState: stateFile });
    const page = await context.newPage();
    await page.goto(`/l/${LIST}/`);
    if (phase === 'alive')
      eq('the session is alive', `Logged in as ${LIST}`, ((await page.textContent('#who')) || '').trim());
    else {
      ok(page.url().includes('/login'), 'the session expired: sent to the login page', page.url());
      eq('and logged out', 0, await page.locator('#who').count());
    }
    await context.storageState({ path: stateFile });
    await context.close();
  } else if (phase === 'throttle') {
    const limit = Number(process.env.RF_ACCOUNT_ATTEMPTS);
    const w = await newPage(browser, base);
    await w.page.goto('/login');
    for (let i = 0; i < limit; i++) {
      await w.page.fill('#user', 'mod');
      await w.page.fill('#password', `wrong ${i}`);
      await Promise.all([w.page.waitForNavigation(), w.page.click('#submit')]);
    }
    await w.page.fill('#user', 'mod');
    await w.page.fill('#password', MODPW);
    const [locked] = await Promise.all([w.page.waitForNavigation(), w.page.click('#submit')]);
    // issue 11: the page answers a locked account as a wrong password, so
    // that it never tells which names are accounts
    eq(`after ${limit} failures the account is locked: even the right password is 401`, 401,
       locked.status());
    eq('and the answer is that of a wrong password',
       'Wrong user name or password. After repeated failures a name is refused for a while: try again later.',
       await text(w, '#message'));
    // other names from this address until the address is blocked
    let blocked = null;
    for (let i = 0; i < 50 && !blocked; i++) {
      await w.page.fill('#user', `nobody${i}`);
      await w.page.fill('#password', 'wrong password');
      const [resp] = await Promise.all([w.page.waitForNavigation(), w.page.click('#submit')]);
      if (resp.status() === 429) blocked = i;
    }
    ok(blocked !== null, 'the address is blocked after repeated failures', String(blocked));
    await w.page.fill('#user', 'other');
    await w.page.fill('#password', OTHERPW);
    const [refused] = await Promise.all([w.page.waitForNavigation(), w.page.click('#submit')]);
    eq('a blocked address cannot log in even with the right password', 429, refused.status());
    eq('and is told so', 'Too many failed logins from your address. Try again later.', await text(w, '#message'));
    eq('no session cookie', 0, (await w.context.cookies()).filter((c) => c.name === 'rf_session').length);
    await rememberCookies(w);
  }
} finally {
  await browser.close();
}
done();
