// The AngularJS console at /: sign in, the paged users table, create, edit
// (PATCH), delete, and JSON:API errors on the page. AngularJS is loaded from
// jsDelivr with Subresource Integrity; here every request to jsDelivr is
// answered from the npm packages in node_modules, byte for byte, so the
// page's integrity hashes are checked against the real npm files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { config, url, launch, newPage, screenshot, signIn, api, unique } from './support.mjs';

const require = createRequire(import.meta.url);
const CDN = {
  '/npm/angular@1.8.3/angular.min.js': require.resolve('angular/angular.min.js'),
  '/npm/angular-resource@1.8.3/angular-resource.min.js':
    require.resolve('angular-resource/angular-resource.min.js'),
};
const PASSWORD = 'a perfectly long passphrase';

let browser;
let adminToken;
before(async () => {
  browser = await launch();
  adminToken = await signIn(config.admin);
});
after(async () => { await browser?.close(); });

// Serves jsDelivr from node_modules (with the CORS header jsDelivr sends, as
// crossorigin="anonymous" needs) and lets nothing else leave the machine.
// `tamper` changes the bytes, to show that a wrong hash is caught.
async function serveCdnFromNpm(page, { tamper = (bytes) => bytes } = {}) {
  const served = [];
  await page.route('https://cdn.jsdelivr.net/**', async (route) => {
    const file = CDN[new URL(route.request().url()).pathname];
    if (!file) return route.abort('blockedbyclient');
    served.push(route.request().url());
    return route.fulfill({
      status: 200,
      contentType: 'application/javascript; charset=utf-8',
      headers: { 'Access-Control-Allow-Origin': '*' },
      body: tamper(readFileSync(file)),
    });
  });
  await page.route((target) => !target.href.startsWith(config.baseUrl)
    && target.hostname !== 'cdn.jsdelivr.net', (route) => route.abort('blockedbyclient'));
  return served;
}

async function openConsole(page) {
  const served = await serveCdnFromNpm(page);
  await page.goto(url('/'));
  await page.waitForFunction(() => window.angular?.version.full === '1.8.3');
  assert.equal(served.length, 2, 'both AngularJS files come from the CDN');
  return served;
}

async function signInOnPage(page, { email, password }) {
  const form = page.locator('#sign-in');
  await form.locator('input[name=email]').fill(email);
  await form.locator('input[name=password]').fill(password);
  await form.getByRole('button', { name: 'Sign in' }).click();
}

async function total() {
  const page = await api('GET', '/api/v1/users.json?page%5Bsize%5D=1', { token: adminToken });
  assert.equal(page.status, 200);
  return page.body.meta.total;
}

function row(page, email) {
  return page.locator('#users-table tbody tr[data-id]').filter({
    has: page.locator('td.email', { hasText: new RegExp(`^${email.replace(/[.+]/g, '\\$&')}$`) }),
  });
}

async function expectTotal(page, expected) {
  await page.locator('#total', { hasText: `${expected} in all` }).waitFor();
}

// Fails on anything that went wrong in the page but the responses the test
// provoked on purpose (Chromium logs every 4xx as a console error).
function assertNoProblems(problems, expectedStatuses = []) {
  const unexpected = problems.filter((problem) => !expectedStatuses.some((status) =>
    problem.includes(`status of ${status} `)));
  assert.deepEqual(unexpected, []);
}

test('the console loads AngularJS from the CDN, checked by Subresource Integrity', async () => {
  const { page, problems } = await newPage(browser);
  await openConsole(page);
  await page.locator('#sign-in').waitFor();
  const response = await page.request.get(url('/'));
  assert.equal(response.headers()['content-type'], 'text/html; charset=utf-8');
  assert.match(response.headers()['content-security-policy'], /script-src 'self' https:\/\/cdn\.jsdelivr\.net/);
  for (const [asset, type] of [['console/app.js', 'text/javascript'], ['console/app.css', 'text/css']]) {
    const answer = await page.request.get(url(`/${asset}`));
    assert.equal(answer.status(), 200);
    assert.equal(answer.headers()['content-type'], `${type}; charset=utf-8`);
  }
  assertNoProblems(problems);

  // The same page with one byte more in each file: the browser refuses both.
  const tampered = await newPage(browser);
  await serveCdnFromNpm(tampered.page, { tamper: (bytes) => Buffer.concat([bytes, Buffer.from('\n')]) });
  await tampered.page.goto(url('/'));
  await tampered.page.waitForLoadState('load');
  assert.equal(await tampered.page.evaluate(() => typeof window.angular), 'undefined');
  assert.equal(await tampered.page.locator('#sign-in').isVisible(), false, 'ng-cloak keeps the page hidden');
  const refused = tampered.problems.filter((problem) => /integrity/i.test(problem));
  assert.equal(refused.length, 2, tampered.problems.join('\n'));
  await tampered.page.context().close();
  await screenshot(page, 'console-sign-in');
});

test('an admin signs in, then creates, edits and deletes a user in the table', async () => {
  const { page, problems } = await newPage(browser);
  page.on('dialog', (dialog) => dialog.accept());
  await openConsole(page);

  // A wrong password: the RFC 6749 error from the token endpoint.
  await signInOnPage(page, { email: config.admin.email, password: 'not the password at all' });
  await page.locator('#errors', { hasText: 'invalid_grant' }).waitFor();

  // Signed in: the table lists the users and the total the API reports.
  await signInOnPage(page, config.admin);
  await page.locator('#current-user', { hasText: config.admin.email }).waitFor();
  assert.equal(await page.locator('#errors').count(), 0, 'a success clears the errors');
  const before = await total();
  await expectTotal(page, before);
  await row(page, config.admin.email).waitFor();
  await row(page, config.user.email).waitFor();
  assert.equal(await page.locator('#users-table tbody tr[data-id]').count(), Math.min(before, 10));
  await screenshot(page, 'console-signed-in');

  // An email already taken: the 409's error object, detail and pointer.
  const duplicate = await api('POST', '/api/v1/users.json', {
    body: { data: { type: 'users', attributes: { name: 'Twin', email: config.user.email, password: PASSWORD } } },
  });
  assert.equal(duplicate.status, 409);
  const [conflict] = duplicate.body.errors;
  await page.locator('#new-user').click();
  const form = page.locator('#user-form');
  await form.locator('input[name=name]').fill('Twin');
  await form.locator('input[name=email]').fill(config.user.email);
  await form.locator('input[name=password]').fill(PASSWORD);
  await form.getByRole('button', { name: 'Create user' }).click();
  const shown = page.locator('#errors li.error');
  await shown.first().waitFor();
  assert.equal(await shown.count(), 1);
  assert.equal(await shown.locator('.status').innerText(), '409');
  assert.equal(await shown.locator('.title').innerText(), conflict.title);
  assert.equal(await shown.locator('.detail').innerText(), conflict.detail);
  assert.equal(await shown.locator('.source').innerText(), '/data/attributes/email');
  assert.equal(conflict.source.pointer, '/data/attributes/email');
  await form.locator('input[name=email].invalid').waitFor();
  await screenshot(page, 'console-error');
  await expectTotal(page, before);

  // Create.
  const email = `${unique('console')}@example.com`;
  await form.locator('input[name=name]').fill('Grace Hopper');
  await form.locator('input[name=email]').fill(email);
  await form.locator('input[name=profession]').fill('Rear admiral');
  await form.locator('input[name=dob]').fill('1906-12-09');
  const [created] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/users.json') && r.request().method() === 'POST'),
    form.getByRole('button', { name: 'Create user' }).click(),
  ]);
  assert.equal(created.status(), 201);
  assert.equal(created.request().headers()['content-type'], 'application/vnd.api+json');
  assert.deepEqual(created.request().postDataJSON(), {
    data: {
      type: 'users',
      attributes: { name: 'Grace Hopper', email, dob: '1906-12-09', profession: 'Rear admiral', password: PASSWORD },
    },
  });
  const id = (await created.json()).data.id;
  await page.locator('#notice', { hasText: `Created ${email}` }).waitFor();
  await expectTotal(page, before + 1);
  const createdRow = row(page, email);
  await createdRow.waitFor();
  assert.equal(await createdRow.getAttribute('data-id'), id);
  assert.equal(await createdRow.locator('td.name').innerText(), 'Grace Hopper');
  assert.equal(await createdRow.locator('td.role').innerText(), 'user');
  assert.equal(await page.locator('#errors').count(), 0);
  assert.equal(await page.locator('#user-form').count(), 0, 'the form closes');

  // Edit: a PATCH of the changed attributes only.
  await createdRow.getByRole('button', { name: 'Edit' }).click();
  await form.locator('h2', { hasText: `Edit user ${id}` }).waitFor();
  assert.equal(await form.locator('input[name=email]').inputValue(), email);
  assert.equal(await form.locator('input[name=dob]').inputValue(), '1906-12-09');
  await form.locator('input[name=name]').fill('Grace Brewster Hopper');
  await form.locator('input[name=profession]').fill('Computer scientist');
  await form.locator('select[name=role]').selectOption('admin');
  await screenshot(page, 'console-edit');
  const [patched] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(`/api/v1/users/${id}.json`) && r.request().method() === 'PATCH'),
    form.getByRole('button', { name: 'Save changes' }).click(),
  ]);
  assert.equal(patched.status(), 200);
  assert.deepEqual(patched.request().postDataJSON(), {
    data: {
      type: 'users',
      id,
      attributes: { name: 'Grace Brewster Hopper', role: 'admin', profession: 'Computer scientist' },
    },
  });
  assert.match(patched.request().headers().authorization, /^Bearer \S+$/);
  await page.locator('#notice', { hasText: `Saved ${email}` }).waitFor();
  await createdRow.locator('td.name', { hasText: 'Grace Brewster Hopper' }).waitFor();
  assert.equal(await createdRow.locator('td.profession').innerText(), 'Computer scientist');
  assert.equal(await createdRow.locator('td.role').innerText(), 'admin');
  await expectTotal(page, before + 1);
  const stored = await api('GET', `/api/v1/users/${id}.json`, { token: adminToken });
  assert.equal(stored.body.data.attributes.name, 'Grace Brewster Hopper');
  assert.equal(stored.body.data.attributes.dob, '1906-12-09', 'what was not sent stays');

  // Delete.
  const [deleted] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(`/api/v1/users/${id}.json`) && r.request().method() === 'DELETE'),
    createdRow.getByRole('button', { name: 'Delete' }).click(),
  ]);
  assert.equal(deleted.status(), 204);
  await page.locator('#notice', { hasText: `Deleted ${email}` }).waitFor();
  await expectTotal(page, before);
  await createdRow.waitFor({ state: 'detached' });
  await row(page, config.user.email).waitFor();
  assert.equal((await api('GET', `/api/v1/users/${id}.json`, { token: adminToken })).status, 404);

  await screenshot(page, 'console-deleted');
  assertNoProblems(problems, [400, 409]);
});

test('the table pages with the document\'s links and meta.total', async () => {
  // Enough users for a second page of ten, registered through the API.
  const label = unique('pager');
  const ids = [];
  const needed = Math.max(0, 11 - (await total()));
  for (let n = 0; n < needed; n += 1) {
    const registered = await api('POST', '/api/v1/users.json', {
      body: { data: { type: 'users', attributes: { name: `Pager ${n}`, email: `${label}-${n}@example.com`, password: PASSWORD } } },
    });
    assert.equal(registered.status, 201);
    ids.push(registered.body.data.id);
  }
  try {
    const all = await total();
    const { page, problems } = await newPage(browser);
    await openConsole(page);
    await signInOnPage(page, config.admin);
    await expectTotal(page, all);
    const rows = page.locator('#users-table tbody tr[data-id]');
    await page.locator('#page-info', { hasText: `Page 1 of ${Math.ceil(all / 10)}` }).waitFor();
    assert.equal(await rows.count(), 10);
    assert.equal(await page.locator('#prev-page').isDisabled(), true);
    const firstPage = await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.id));

    await page.locator('#next-page').click();
    await page.locator('#page-info', { hasText: 'Page 2 of' }).waitFor();
    const secondPage = await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.id));
    assert.equal(secondPage.length, Math.min(10, all - 10));
    assert.deepEqual(secondPage.filter((id) => firstPage.includes(id)), [], 'pages never overlap');
    assert.equal(await page.locator('#prev-page').isDisabled(), false);
    await screenshot(page, 'console-page-2');

    await page.locator('#prev-page').click();
    await page.locator('#page-info', { hasText: 'Page 1 of' }).waitFor();
    assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.id)), firstPage);
    assertNoProblems(problems);
  } finally {
    for (const id of ids) {
      assert.equal((await api('DELETE', `/api/v1/users/${id}.json`, { token: adminToken })).status, 204);
    }
  }
});
