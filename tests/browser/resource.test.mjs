// An AngularJS page written the way $resource apps are (resource-app/):
// $resource(BASE + '/api/v1/users/:id.json', {id: '@data.id'}, {update:
// {method: 'PATCH'}, list: ...}), a user read with User.get, one attribute
// changed in place and the whole object saved back with $update(), and the
// collection paged by following links.next with $http. The page is served
// from its own origin (resource-app/server.mjs on PAGE_PORT) and calls the
// service through CORS, which ./run allows for that origin alone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { config, url, launch, newPage, screenshot, signIn, api, unique } from './support.mjs';
import { serve } from './resource-app/server.mjs';

const PASSWORD = 'a perfectly long passphrase';
const ATTRIBUTES = ['name', 'email', 'dob', 'age', 'address', 'profession', 'website', 'role', 'created_at', 'updated_at'];

if (!process.env.PAGE_PORT) {
  throw new Error('PAGE_PORT is not set: run the tests with tests/browser/run');
}
const pageOrigin = `http://127.0.0.1:${process.env.PAGE_PORT}`;
const pageUrl = `${pageOrigin}/?api=${encodeURIComponent(config.baseUrl)}`;

let browser;
let server;
let adminToken;
before(async () => {
  server = await serve(Number(process.env.PAGE_PORT));
  browser = await launch();
  adminToken = await signIn(config.admin);
});
after(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
});

async function openPage(browserPage) {
  await browserPage.goto(pageUrl);
  await browserPage.waitForFunction(() => window.angular?.version.full === '1.8.3');
  await browserPage.locator('#api-base', { hasText: config.baseUrl }).waitFor();
}

async function signInOnPage(page, { email, password }) {
  const form = page.locator('#sign-in');
  await form.locator('input[name=email]').fill(email);
  await form.locator('input[name=password]').fill(password);
  await form.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#signed-in', { hasText: email }).waitFor();
}

async function stored(id) {
  const answer = await api('GET', `/api/v1/users/${id}.json`, { token: adminToken });
  assert.equal(answer.status, 200);
  return answer.body.data;
}

// Every attribute of `after` equals `before`'s but the ones named (and
// updated_at, which a change moves).
function assertOnlyChanged(before, after, changed) {
  const skip = new Set([...Object.keys(changed), 'updated_at']);
  for (const [name, value] of Object.entries(before.attributes)) {
    if (!skip.has(name)) assert.deepEqual(after.attributes[name], value, `${name} is unchanged`);
  }
  for (const [name, value] of Object.entries(changed)) {
    assert.deepEqual(after.attributes[name], value, `${name} is changed`);
  }
}

// Fails on anything that went wrong in the page but the responses the test
// provoked on purpose (Chromium logs every 4xx as a console error).
function assertNoProblems(problems, expectedStatuses = []) {
  const unexpected = problems.filter((problem) => !expectedStatuses.some((status) =>
    problem.includes(`status of ${status} `)));
  assert.deepEqual(unexpected, []);
}

const isApiCall = (method, pathname) => (response) => response.request().method() === method
  && response.url().startsWith(config.baseUrl + pathname);

test('a $resource page on another origin reads a user, changes one attribute in place and saves the whole object back', async () => {
  const email = `${unique('resource')}@example.com`;
  const registered = await api('POST', '/api/v1/users.json', {
    body: { data: { type: 'users', attributes: {
      name: 'Margaret Hamilton', email, password: PASSWORD, dob: '1936-08-17', profession: 'Programmer',
    } } },
  });
  assert.equal(registered.status, 201);
  const id = registered.body.data.id;
  const before = await stored(id);

  const { page, problems } = await newPage(browser);
  await openPage(page);
  await signInOnPage(page, { email, password: PASSWORD });

  // User.get({id})
  const opening = page.waitForResponse(isApiCall('GET', `/api/v1/users/${id}.json`));
  await page.locator('#open-user input[name=id]').fill(id);
  await page.locator('#open-user').getByRole('button', { name: 'Open' }).click();
  assert.equal((await opening).status(), 200);
  const form = page.locator('#user');
  await form.locator('.name', { hasText: 'Margaret Hamilton' }).waitFor();
  assert.equal(await form.locator('.email').innerText(), email);
  assert.equal(await form.locator('.role').innerText(), 'user');
  assert.equal(await form.locator('input[name=profession]').inputValue(), 'Programmer');
  await screenshot(page, 'resource-opened');

  // u.data.attributes.profession = 'Engineer' (through ng-model); u.$update()
  await form.locator('input[name=profession]').fill('Engineer');
  const [saved] = await Promise.all([
    page.waitForResponse(isApiCall('PATCH', `/api/v1/users/${id}.json`)),
    form.getByRole('button', { name: 'Save' }).click(),
  ]);
  const request = saved.request();
  const headers = await request.allHeaders();
  const sent = request.postDataJSON();
  assert.equal(saved.status(), 200, JSON.stringify(await saved.json()));
  assert.equal(headers.origin, pageOrigin, 'a cross-origin call');
  assert.equal(saved.headers()['access-control-allow-origin'], pageOrigin);
  assert.match(headers['content-type'], /^application\/json/, 'AngularJS\'s own media type');
  assert.match(headers.authorization, /^Bearer \S+$/);
  // The whole document as it was read: top-level members, the resource's
  // links, every attribute (server-owned ones and the unchanged role too).
  assert.deepEqual(sent.jsonapi, { version: '1.1' });
  assert.equal(sent.data.id, id);
  assert.equal(sent.data.type, 'users');
  assert.deepEqual(Object.keys(sent.data.attributes).sort(), [...ATTRIBUTES].sort());
  assert.equal(sent.data.attributes.profession, 'Engineer');
  assert.equal(sent.data.attributes.role, 'user');
  assert.equal(sent.data.attributes.created_at, before.attributes.created_at);
  assert.deepEqual(sent.data.links, before.links);

  await page.locator('#notice', { hasText: `Saved ${email}` }).waitFor();
  assert.equal(await form.locator('input[name=profession]').inputValue(), 'Engineer');
  const after = await stored(id);
  assertOnlyChanged(before, after, { profession: 'Engineer' });
  assert.equal(await form.locator('.updated-at').innerText(), after.attributes.updated_at,
    'the page shows what the service answered');
  await screenshot(page, 'resource-saved');

  // An invalid attribute: the 422's error object, pointing at it alone.
  await form.locator('input[name=website]').fill('not a web address');
  const [refused] = await Promise.all([
    page.waitForResponse(isApiCall('PATCH', `/api/v1/users/${id}.json`)),
    form.getByRole('button', { name: 'Save' }).click(),
  ]);
  assert.equal(refused.status(), 422);
  const shown = page.locator('#errors li.error');
  await shown.first().waitFor();
  assert.equal(await shown.count(), 1, await page.locator('#errors').innerText());
  assert.equal(await shown.locator('.status').innerText(), '422');
  assert.equal(await shown.locator('.pointer').innerText(), '/data/attributes/website');
  assert.deepEqual(await stored(id), after, 'nothing was written');
  await screenshot(page, 'resource-error');

  assertNoProblems(problems, [422]);
  assert.equal((await api('DELETE', `/api/v1/users/${id}.json`, { token: adminToken })).status, 204);
});

test('the $resource page pages through the users by following links.next with $http', async () => {
  // At least three pages of three.
  const label = unique('resource-pages');
  const ids = [];
  const total = async () => (await api('GET', '/api/v1/users.json?page%5Bsize%5D=1', { token: adminToken })).body.meta.total;
  for (let n = 0, needed = Math.max(0, 7 - (await total())); n < needed; n += 1) {
    const registered = await api('POST', '/api/v1/users.json', {
      body: { data: { type: 'users', attributes: { name: `Pager ${n}`, email: `${label}-${n}@example.com`, password: PASSWORD } } },
    });
    assert.equal(registered.status, 201);
    ids.push(registered.body.data.id);
  }
  try {
    const everyone = await api('GET', '/api/v1/users.json?page%5Bsize%5D=100', { token: adminToken });
    const all = everyone.body.data.map((user) => user.id);
    assert.equal(all.length, everyone.body.meta.total);

    const { page, problems } = await newPage(browser);
    await openPage(page);
    await signInOnPage(page, config.admin);
    const rows = page.locator('#users tbody tr[data-id]');
    const shownIds = () => rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.id));

    // User.list({'page[size]': 3})
    const [first] = await Promise.all([
      page.waitForResponse(isApiCall('GET', '/api/v1/users.json')),
      page.locator('#load-users').click(),
    ]);
    assert.equal(first.status(), 200);
    await page.locator('#total', { hasText: String(all.length) }).waitFor();
    await page.locator('#page-number', { hasText: '1' }).waitFor();
    const seen = await shownIds();
    assert.equal(seen.length, 3);

    // $http.get(page.links.next), until there is none.
    let links = (await first.json()).links;
    for (let number = 2; await page.locator('#next-page').isVisible(); number += 1) {
      assert.ok(number <= Math.ceil(all.length / 3), 'the pages end');
      assert.ok(links.next.startsWith(`${config.baseUrl}/api/v1/users.json?`),
        `links.next is absolute, or $http would ask the page's origin: ${links.next}`);
      const [next] = await Promise.all([
        page.waitForResponse((response) => response.request().method() === 'GET'
          && response.url().includes('/api/v1/users.json')),
        page.locator('#next-page').click(),
      ]);
      assert.equal(next.url(), links.next);
      assert.equal(next.status(), 200, `${links.next} answers 200`);
      assert.equal(next.headers()['access-control-allow-origin'], pageOrigin);
      links = (await next.json()).links;
      await page.locator('#page-number', { hasText: String(number) }).waitFor();
      seen.push(...await shownIds());
    }
    await page.locator('#last-page').waitFor();
    assert.equal(links.self, links.last);
    assert.equal(seen.length, all.length, 'as many rows as users');
    assert.deepEqual([...seen].sort(), [...all].sort(), 'every user seen exactly once');
    await screenshot(page, 'resource-last-page');
    assertNoProblems(problems);
  } finally {
    for (const id of ids) {
      assert.equal((await api('DELETE', `/api/v1/users/${id}.json`, { token: adminToken })).status, 204);
    }
  }
});
