// moderator.mjs BASE - the moderator panel of listweb in the real Chromium
// (driven by tests/e2e/t-web-moderator.sh, which checks the store and the
// moderator's Maildir afterwards).
//
// Logs in as "mod" (moderator of dev@lists.test); changes subject_prefix;
// an invalid max_message_size shows the table's error and saves nothing;
// adds one member, pastes three with one bad line (refused, naming the
// line) and then three good ones, removes one; asks for the subscribers
// activity and bounces reports (mailed, not shown: the page names no member); a
// POST without the CSRF token is 403; "other", moderator of another list,
// gets 403; mod changes the password and logs in again with the new one.
// Every secret seen is appended to $RF_SECRETS for the shell to grep.
import fs from 'node:fs';
import { launch, newPage, ok, eq, done } from './harness.mjs';

const [base] = process.argv.slice(2);
const MODPW = process.env.RF_MODPW, NEWPW = process.env.RF_NEWPW, OTHERPW = process.env.RF_OTHERPW;
const LIST = 'dev@lists.test';
const MEMBERS = ['ann@example.test', 'new1@example.test', 'p1@example.test', 'p2@example.test',
                 'p3@example.test'];

function remember(...values) {
  if (process.env.RF_SECRETS)
    fs.appendFileSync(process.env.RF_SECRETS, values.filter(Boolean).map((v) => v + '\n').join(''));
}
async function text(w, sel) { return ((await w.page.textContent(sel)) || '').trim(); }
async function submit(w, sel) {
  const [resp] = await Promise.all([w.page.waitForNavigation(), w.page.click(sel)]);
  return resp;
}
async function login(w, user, password) {
  await w.page.goto('/m/');
  ok(w.page.url().includes('/login'), '/m/ without a session leads to the login page', w.page.url());
  remember(await w.page.inputValue('input[name=csrf]'));
  await w.page.fill('#user', user);
  await w.page.fill('#password', password);
  const resp = await submit(w, '#submit');
  for (const c of await w.context.cookies()) remember(c.value);
  return resp;
}
function noMember(desc, body) {
  const seen = MEMBERS.filter((a) => body.includes(a));
  eq(desc, '', seen.join(' '));
}

const browser = await launch();
try {
  const w = await newPage(browser, base);
  await login(w, 'mod', MODPW);
  eq('after the login: the panel\'s list of lists', `${base}/m/`, w.page.url());
  eq('which names dev only', `${LIST}`, (await w.page.locator('#lists a.list').allTextContents()).join(' '));
  eq('as moderator', '(moderator)', await text(w, '#lists .role'));
  await submit(w, '#lists a.list');
  eq('the panel of dev', LIST, await text(w, 'h1'));
  remember(await w.page.inputValue('#settings input[name=csrf]'));
  eq('the member count', '1 member', await text(w, '#member-count'));
  const nfields = await w.page.locator('#settings tr').count();
  ok(nfields >= 9, 'one field per setting a moderator may change', nfields);
  // issue 11: never a privacy setting (t-web-setting-roles tests the refusal)
  eq('no archive field for a moderator', 0, await w.page.locator('#f-archive').count());
  eq('no archive_access field', 0, await w.page.locator('#f-archive_access').count());
  eq('an enum is a select', 'SELECT', await w.page.$eval('#f-posting', (e) => e.tagName));
  eq('a string is a text field', 'INPUT', await w.page.$eval('#f-subject_prefix', (e) => e.tagName));
  ok((await text(w, '#row-subject_prefix .help')).length > 10, 'with the table\'s help line');

  // --- a setting
  await w.page.fill('#f-subject_prefix', '[moderated]');
  let resp = await submit(w, '#save');
  eq('save: 200', 200, resp.status());
  eq('save: says what was saved', 'Saved: subject_prefix.', await text(w, '#message'));
  eq('the field shows the new value', '[moderated]', await w.page.inputValue('#f-subject_prefix'));
  // --- an invalid value: the table's error next to the field, nothing saved
  await w.page.fill('#f-subject_prefix', '[never saved]');
  await w.page.fill('#f-max_message_size', 'lots');
  resp = await submit(w, '#save');
  eq('invalid: 400', 400, resp.status());
  eq('invalid: nothing saved', 'Nothing was saved: correct the values marked below.', await text(w, '#message'));
  eq('the table\'s own message next to the field',
     "setting 'max_message_size': 'lots' is not a size: write a number of bytes, optionally with k, M or G (e.g. 10M)",
     await text(w, '#error-max_message_size'));
  eq('no error next to the valid field', 0, await w.page.locator('#error-subject_prefix').count());
  eq('the typed value is shown again', 'lots', await w.page.inputValue('#f-max_message_size'));

  // --- members
  await w.page.goto(`/m/${LIST}/`);
  await w.page.fill('#add-address', 'New One <new1@Example.TEST>');
  await submit(w, '#add');
  eq('add one: added', 'The address was added.', await text(w, '#message'));
  eq('add one: 2 members', '2 members', await text(w, '#member-count'));
  await w.page.fill('#addresses', 'p1@example.test\nnot an address\np2@example.test\n');
  resp = await submit(w, '#add-all');
  eq('paste with a bad line: 400', 400, resp.status());
  ok(/^Nothing was added: 1 line is not an address \(line 2: .+\)\.$/.test(await text(w, '#message')),
     'the error names the bad line', await text(w, '#message'));
  eq('and nothing was added', '2 members', await text(w, '#member-count'));
  await w.page.fill('#addresses', 'p1@example.test\n\np2@example.test\np3@example.test\n');
  await submit(w, '#add-all');
  eq('paste three: added', 'Added 3 addresses; 0 were members already.', await text(w, '#message'));
  eq('paste three: 5 members', '5 members', await text(w, '#member-count'));
  await w.page.fill('#remove-address', 'p2@example.test');
  await submit(w, '#remove');
  eq('remove one: removed', 'The address was removed.', await text(w, '#message'));
  eq('remove one: 4 members', '4 members', await text(w, '#member-count'));
  await w.page.fill('#remove-address', 'nobody@example.test');
  await submit(w, '#remove');
  eq('remove a non-member: says so', 'That address is not a member.', await text(w, '#message'));

  // --- reports: mailed, never shown
  resp = await submit(w, '#report-subscribers');
  eq('subscribers report: 200', 200, resp.status());
  eq('the page only says where it went', 'The subscribers report was mailed to m…@example.test.',
     await text(w, '#message'));
  noMember('the page\'s text names no member', await w.page.textContent('body'));
  noMember('nor does its HTML', await w.page.content());
  await submit(w, '#report-activity');
  eq('activity report: mailed', 'The activity report was mailed to m…@example.test.', await text(w, '#message'));
  noMember('that page names no member either', await w.page.content());
  await submit(w, '#report-bounces');
  eq('bounce report: mailed', 'The bounces report was mailed to m…@example.test.', await text(w, '#message'));

  // --- CSRF: a POST without the token, or with another one, is refused
  for (const [desc, data] of [['without a token', { subject_prefix: '[csrf]' }],
                              ['with a made-up token', { subject_prefix: '[csrf]', csrf: 'x'.repeat(43) }]]) {
    const r = await w.context.request.post(`/m/${LIST}/settings`, { form: data });
    eq(`a settings POST ${desc}: 403`, 403, r.status());
  }
  const r2 = await w.context.request.post(`/m/${LIST}/members`,
                                          { form: { action: 'add', address: 'csrf@example.test' } });
  eq('a member POST without the token: 403', 403, r2.status());

  // --- the password
  await w.page.goto('/m/password');
  await w.page.fill('#current', 'not the password');
  await w.page.fill('#new1', NEWPW);
  await w.page.fill('#new2', NEWPW);
  resp = await submit(w, '#change');
  eq('a wrong current password: 403', 403, resp.status());
  eq('says so', 'The current password is wrong.', await text(w, '#message'));
  await w.page.fill('#current', MODPW);
  await w.page.fill('#new1', NEWPW);
  await w.page.fill('#new2', NEWPW + 'x');
  await submit(w, '#change');
  eq('two different new passwords: refused', 'The two new passwords differ.', await text(w, '#message'));
  await w.page.fill('#current', MODPW);
  await w.page.fill('#new1', NEWPW);
  await w.page.fill('#new2', NEWPW);
  resp = await submit(w, '#change');
  eq('changed: 200', 200, resp.status());
  eq('changed: the page says so', 'Password changed', await text(w, 'h1'));
  eq('and the session cookie is gone', 0,
     (await w.context.cookies()).filter((c) => c.name === 'rf_session').length);
  await login(w, 'mod', MODPW);
  eq('the old password no longer logs in', 'Wrong user name or password. After repeated failures a name is refused for a while: try again later.', await text(w, '#message'));
  await w.page.fill('#user', 'mod');
  await w.page.fill('#password', NEWPW);
  await submit(w, '#submit');
  for (const c of await w.context.cookies()) remember(c.value);
  eq('the new one does, back to the panel', `${base}/m/`, w.page.url());
  eq('no dialog opened', 0, w.dialogs.length);
  eq('no request left for another host', 0, w.foreign.length);

  // --- a moderator of another list
  const o = await newPage(browser, base);
  await login(o, 'other', OTHERPW);
  eq('other sees only their own list', 'ops@lists.test',
     (await o.page.locator('#lists a.list').allTextContents()).join(' '));
  resp = await o.page.goto(`/m/${LIST}/`);
  eq('other opening dev\'s panel: 403', 403, resp.status());
  noMember('the refusal names no member', await o.page.content());
  const csrf = await o.page.inputValue('#logout-form input[name=csrf]');
  remember(csrf);
  const r3 = await o.context.request.post(`/m/${LIST}/members`,
                                          { form: { action: 'add', address: 'intruder@example.test', csrf } });
  eq('other posting to dev\'s members, with a valid token: 403', 403, r3.status());
  eq('no dialog opened for other', 0, o.dialogs.length);
  eq('no foreign request for other', 0, o.foreign.length);
} finally {
  await browser.close();
}
done();
