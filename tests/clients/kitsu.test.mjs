// kitsu (npm) against the service, used the way its README shows: create,
// get, update (a fetched record saved back whole), remove, params for
// filters, fieldsets and pages, `request({ url })` for a link, and
// `error.errors` for JSON:API errors. The only configuration beyond the base
// URL and the bearer token is one request interceptor for the `.json`
// suffix (see makeClient).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import Kitsu from 'kitsu';
import {
  config, apiUrl, jsonSuffix, signIn, api, stored, unique, register, PASSWORD,
  assertAbsoluteLink, assertOnlyChanged,
} from './support.mjs';

// Everything this service needs from kitsu: the base URL, the token, and the
// `.json` suffix added by an axios request interceptor (kitsu's documented
// `interceptors` hook). URLs the service wrote (links) already end in .json.
function makeClient(token) {
  const client = new Kitsu({
    baseURL: apiUrl,
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  });
  client.interceptors.request.use((request) => ({ ...request, url: jsonSuffix(request.url) }));
  return client;
}

// Observes (changes nothing) what kitsu sent, as axios sent it: a response
// interceptor sees the final request (request interceptors run last-added
// first, so one added here would run before the .json one).
function recordRequests(client) {
  const sent = [];
  client.interceptors.response.use((response) => {
    const { method, url, data } = response.config;
    sent.push({ method: method.toUpperCase(), url, data: data && JSON.parse(data) });
    return response;
  });
  return sent;
}

const ATTRIBUTES = ['name', 'email', 'dob', 'age', 'address', 'profession', 'website', 'role', 'created_at', 'updated_at'];

let admin;
before(async () => {
  admin = makeClient(await signIn(config.admin));
});

// The user each test after the first works with: registered with kitsu.
const ada = { email: `${unique('kitsu')}@example.com` };

test('a visitor registers with kitsu and the new user signs in for a token', async () => {
  const visitor = makeClient();
  const created = await visitor.create('users', {
    name: 'Katherine Johnson', email: ada.email, password: PASSWORD,
    dob: '1918-08-26', profession: 'Mathematician',
  });
  assert.equal(created.status, 201);
  const user = created.data;
  ada.id = user.id;
  ada.token = await signIn({ email: ada.email, password: PASSWORD });
  ada.client = makeClient(ada.token);
  assert.equal(user.type, 'users');
  assert.match(user.id, /^[1-9][0-9]*$/);
  assert.equal(user.name, 'Katherine Johnson');
  assert.equal(user.email, ada.email);
  assert.equal(user.role, 'user');
  assert.equal(typeof user.age, 'number');
  assert.equal(user.password, undefined, 'the password never comes back');
  assertAbsoluteLink(user.links.self, `/api/v1/users/${user.id}.json`);
  assert.equal(created.headers.location, user.links.self, 'Location is the new user\'s self link');
});

test('kitsu finds the user by id with the user\'s own token', async () => {
  const found = await ada.client.get(`users/${ada.id}`);
  assert.equal(found.status, 200);
  assert.equal(found.data.id, ada.id);
  assert.equal(found.data.type, 'users');
  for (const name of ATTRIBUTES) assert.ok(name in found.data, `${name} is read`);
  assert.equal(found.data.email, ada.email);
  assert.equal(found.data.dob, '1918-08-26');
  assertAbsoluteLink(found.data.links.self, `/api/v1/users/${ada.id}.json`);
  assert.deepEqual(found.jsonapi, { version: '1.1' });
});

test('kitsu saves a fetched user back whole with one attribute changed, and only that attribute changes', async () => {
  const before = await stored(ada.id, ada.token);
  const sent = recordRequests(ada.client);
  const { data: record } = await ada.client.get(`users/${ada.id}`);
  record.profession = 'Engineer';
  const saved = await ada.client.update('users', record);
  assert.equal(saved.status, 200);
  assert.equal(saved.data.profession, 'Engineer');

  // What kitsu sent: every attribute it read, server-owned ones and the
  // unchanged role included, and the resource's links.
  const patch = sent.find((request) => request.method === 'PATCH');
  assert.ok(patch.url.endsWith(`users/${ada.id}.json`), patch.url);
  assert.equal(patch.data.data.id, ada.id);
  assert.equal(patch.data.data.type, 'users');
  assert.deepEqual(Object.keys(patch.data.data.attributes).sort(), [...ATTRIBUTES].sort());
  assert.equal(patch.data.data.attributes.role, 'user');
  assert.deepEqual(patch.data.data.links, record.links);

  assertOnlyChanged(before, await stored(ada.id, ada.token), { profession: 'Engineer' });
});

test('kitsu cannot change server-owned attributes by saving them', async () => {
  const before = await stored(ada.id, ada.token);
  const { data: record } = await ada.client.get(`users/${ada.id}`);
  record.age = 3;
  record.created_at = '2000-01-01T00:00:00Z';
  record.updated_at = '2000-01-01T00:00:00Z';
  record.address = '1 Langley Way, Hampton';
  const saved = await ada.client.update('users', record);
  assert.equal(saved.status, 200);
  assertOnlyChanged(before, await stored(ada.id, ada.token), { address: '1 Langley Way, Hampton' });
  assert.equal(saved.data.created_at, before.attributes.created_at);
  assert.equal(saved.data.age, before.attributes.age);
});

test('an admin saves another user\'s fetched record back whole with kitsu', async () => {
  const before = await stored(ada.id, ada.token);
  const { data: record } = await admin.get(`users/${ada.id}`);
  record.name = 'Katherine Coleman Johnson';
  const saved = await admin.update('users', record);
  assert.equal(saved.status, 200);
  assertOnlyChanged(before, await stored(ada.id, ada.token), { name: 'Katherine Coleman Johnson' });
});

test('an invalid attribute in a saved record surfaces as a 422 error object pointing at it', async () => {
  const before = await stored(ada.id, ada.token);
  const { data: record } = await ada.client.get(`users/${ada.id}`);
  record.website = 'not a web address';
  await assert.rejects(ada.client.update('users', record), (error) => {
    assert.equal(error.response.status, 422);
    assert.equal(error.errors.length, 1, JSON.stringify(error.errors));
    const [problem] = error.errors;
    assert.equal(problem.status, '422');
    assert.equal(problem.code, 'invalid_attribute');
    assert.equal(problem.source.pointer, '/data/attributes/website');
    return true;
  });
  assert.deepEqual(await stored(ada.id, ada.token), before, 'nothing was written');
});

test('invalid attributes on create surface as one 422 error object each, with their pointers', async () => {
  const visitor = makeClient();
  await assert.rejects(visitor.create('users', {
    name: 'K', email: `${unique('kitsu-bad')}@example.com`, password: PASSWORD, website: 'ftp://example.com',
  }), (error) => {
    assert.equal(error.response.status, 422);
    assert.deepEqual(error.errors.map((problem) => problem.source.pointer).sort(),
      ['/data/attributes/name', '/data/attributes/website']);
    for (const problem of error.errors) assert.equal(problem.status, '422');
    return true;
  });
});

test('a duplicate email surfaces as a 409 error object pointing at the email', async () => {
  const visitor = makeClient();
  await assert.rejects(visitor.create('users', {
    name: 'Twin', email: ada.email.toUpperCase(), password: PASSWORD,
  }), (error) => {
    assert.equal(error.response.status, 409);
    assert.equal(error.errors.length, 1);
    const [conflict] = error.errors;
    assert.equal(conflict.status, '409');
    assert.equal(conflict.source.pointer, '/data/attributes/email');
    return true;
  });
});

test('kitsu lists users with filter[q] and a sparse fieldset', async () => {
  const label = unique('kitsu-list');
  const ids = await register(label, 4);
  const listed = await admin.get('users', {
    params: { filter: { q: label.toUpperCase() }, fields: { users: 'name,email' }, sort: '-id' },
  });
  assert.equal(listed.status, 200);
  assert.equal(listed.meta.total, 4);
  assert.deepEqual(listed.data.map((user) => user.id), [...ids].reverse());
  for (const user of listed.data) {
    const attributes = Object.keys(user).filter((key) => !['id', 'type', 'links', 'relationships', 'meta'].includes(key));
    assert.deepEqual(attributes.sort(), ['email', 'name']);
    assert.ok(user.email.startsWith(label));
  }
  assertAbsoluteLink(listed.links.self, '/api/v1/users.json?');
});

test('kitsu pages through users by following links.next until it runs out, seeing each once', async () => {
  const label = unique('kitsu-pages');
  const ids = await register(label, 7);

  // The filtered collection, three a page: pages of 3, 3 and 1.
  let page = await admin.get('users', { params: { filter: { q: label }, page: { size: 3 } } });
  const seen = page.data.map((user) => user.id);
  const sizes = [page.data.length];
  while (page.links.next) {
    assertAbsoluteLink(page.links.next, '/api/v1/users.json?');
    page = await admin.request({ url: page.links.next });
    assert.equal(page.status, 200);
    seen.push(...page.data.map((user) => user.id));
    sizes.push(page.data.length);
  }
  assert.deepEqual(sizes, [3, 3, 1]);
  assert.equal(page.links.self, page.links.last);
  assert.deepEqual([...seen].sort(), [...ids].sort(), 'every user seen exactly once');

  // The whole collection, five a page.
  page = await admin.get('users', { params: { page: { size: 5 } } });
  const total = page.meta.total;
  const all = page.data.map((user) => user.id);
  for (let pages = 1; page.links.next; pages += 1) {
    assert.ok(pages <= Math.ceil(total / 5), 'the pages end');
    page = await admin.request({ url: page.links.next });
    all.push(...page.data.map((user) => user.id));
  }
  assert.equal(all.length, total);
  assert.equal(new Set(all).size, total, 'no user seen twice');
  for (const id of ids) assert.ok(all.includes(id));
});

test('kitsu deletes the user, whose token then stops working', async () => {
  const removed = await ada.client.remove('users', ada.id);
  assert.equal(removed.status, 204);
  const admins = await signIn(config.admin);
  assert.equal((await api('GET', `/api/v1/users/${ada.id}.json`, { token: admins })).status, 404);
  await assert.rejects(ada.client.get(`users/${ada.id}`), (error) => {
    assert.equal(error.response.status, 401);
    assert.equal(error.errors[0].status, '401');
    return true;
  });
});
