// devour-client (npm) against the service, used the way its README shows:
// a model defined with its attributes, create, find, update (a fetched
// record saved back whole), destroy, findAll with query params,
// `request(url)` for a link, and its error objects (keyed by the last
// segment of each error's source.pointer). The only configuration beyond the
// base URL and the bearer token is one request middleware for the `.json`
// suffix (see makeClient).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import JsonApi from 'devour-client';
import {
  config, apiUrl, jsonSuffix, signIn, api, stored, unique, register, PASSWORD,
  assertAbsoluteLink, assertOnlyChanged,
} from './support.mjs';

const ATTRIBUTES = ['name', 'email', 'password', 'dob', 'age', 'address', 'profession', 'website', 'role', 'created_at', 'updated_at'];
const READ = ATTRIBUTES.filter((name) => name !== 'password');

// Everything this service needs from devour: the base URL, the token, and
// the `.json` suffix added by a request middleware inserted before
// 'axios-request' (devour's documented insertMiddlewareBefore hook). The
// model definition is how every devour app declares a resource's attributes:
// all of them, as the contract lists them, none marked readOnly.
// `logger: false` only keeps the output readable (and tokens out of it):
// devour's default logger prints every failed request's whole axios error,
// the Authorization header included.
function makeClient(token) {
  const client = new JsonApi({ apiUrl, bearer: token ?? null, logger: false });
  client.insertMiddlewareBefore('axios-request', {
    name: 'json-suffix',
    req: (payload) => {
      payload.req.url = jsonSuffix(payload.req.url);
      return payload;
    },
  });
  client.define('user', Object.fromEntries(ATTRIBUTES.map((name) => [name, ''])));
  return client;
}

// Observes (changes nothing) what devour sends, just before axios sends it.
function recordRequests(client) {
  const sent = [];
  client.insertMiddlewareBefore('axios-request', {
    name: 'recorder',
    req: (payload) => {
      sent.push({ method: payload.req.method, url: payload.req.url, data: payload.req.data });
      return payload;
    },
  });
  return sent;
}

let admin;
before(async () => {
  admin = makeClient(await signIn(config.admin));
});

const grace = { email: `${unique('devour')}@example.com` };

test('a visitor registers with devour and the new user signs in for a token', async () => {
  const visitor = makeClient();
  const { data: user } = await visitor.create('user', {
    name: 'Grace Hopper', email: grace.email, password: PASSWORD,
    dob: '1906-12-09', profession: 'Rear admiral',
  });
  grace.id = user.id;
  grace.token = await signIn({ email: grace.email, password: PASSWORD });
  grace.client = makeClient(grace.token);
  assert.equal(user.type, 'users');
  assert.match(user.id, /^[1-9][0-9]*$/);
  assert.equal(user.name, 'Grace Hopper');
  assert.equal(user.email, grace.email);
  assert.equal(user.role, 'user');
  assert.equal(user.password, undefined, 'the password never comes back');
  assertAbsoluteLink(user.links.self, `/api/v1/users/${user.id}.json`);
});

test('devour finds the user by id with the user\'s own token', async () => {
  const found = await grace.client.find('user', grace.id);
  assert.equal(found.data.id, grace.id);
  assert.equal(found.data.type, 'users');
  for (const name of READ) assert.ok(name in found.data, `${name} is read`);
  assert.equal(found.data.email, grace.email);
  assert.equal(found.data.dob, '1906-12-09');
  assertAbsoluteLink(found.data.links.self, `/api/v1/users/${grace.id}.json`);
  assert.deepEqual(found.document.jsonapi, { version: '1.1' });
});

test('devour saves a fetched user back whole with one attribute changed, and only that attribute changes', async () => {
  const before = await stored(grace.id, grace.token);
  const sent = recordRequests(grace.client);
  const { data: record } = await grace.client.find('user', grace.id);
  record.profession = 'Computer scientist';
  const saved = await grace.client.update('user', record);
  assert.equal(saved.data.profession, 'Computer scientist');

  // What devour sent: every attribute it read, server-owned ones and the
  // unchanged role included, the resource's links, and a top-level meta.
  const patch = sent.find((request) => request.method === 'PATCH');
  assert.ok(patch.url.endsWith(`/api/v1/users/${grace.id}.json`), patch.url);
  assert.equal(patch.data.data.id, grace.id);
  assert.equal(patch.data.data.type, 'users');
  assert.deepEqual(Object.keys(patch.data.data.attributes).sort(), [...READ].sort());
  assert.equal(patch.data.data.attributes.role, 'user');
  assert.deepEqual(patch.data.data.links, record.links);
  assert.deepEqual(patch.data.meta, {});

  assertOnlyChanged(before, await stored(grace.id, grace.token), { profession: 'Computer scientist' });
});

test('devour cannot change server-owned attributes by saving them', async () => {
  const before = await stored(grace.id, grace.token);
  const { data: record } = await grace.client.find('user', grace.id);
  record.age = 3;
  record.created_at = '2000-01-01T00:00:00Z';
  record.updated_at = '2000-01-01T00:00:00Z';
  record.address = 'Arlington, Virginia';
  const saved = await grace.client.update('user', record);
  assertOnlyChanged(before, await stored(grace.id, grace.token), { address: 'Arlington, Virginia' });
  assert.equal(saved.data.created_at, before.attributes.created_at);
  assert.equal(saved.data.age, before.attributes.age);
});

test('an admin saves another user\'s fetched record back whole with devour', async () => {
  const before = await stored(grace.id, grace.token);
  const { data: record } = await admin.find('user', grace.id);
  record.name = 'Grace Brewster Hopper';
  await admin.update('user', record);
  assertOnlyChanged(before, await stored(grace.id, grace.token), { name: 'Grace Brewster Hopper' });
});

// devour rejects with its own error object: one entry per JSON:API error,
// keyed by the last segment of the error's source.pointer, holding its
// title and detail.
test('an invalid attribute in a saved record surfaces as devour\'s error keyed by its pointer', async () => {
  const before = await stored(grace.id, grace.token);
  const { data: record } = await grace.client.find('user', grace.id);
  record.website = 'not a web address';
  await assert.rejects(grace.client.update('user', record), (errors) => {
    assert.deepEqual(Object.keys(errors), ['website'], JSON.stringify(errors));
    assert.equal(errors.website.title, 'Invalid attribute');
    assert.match(errors.website.detail, /website/);
    return true;
  });
  assert.deepEqual(await stored(grace.id, grace.token), before, 'nothing was written');
});

test('invalid attributes on create surface as devour\'s errors, one for each pointer', async () => {
  const visitor = makeClient();
  await assert.rejects(visitor.create('user', {
    name: 'G', email: `${unique('devour-bad')}@example.com`, password: PASSWORD, website: 'ftp://example.com',
  }), (errors) => {
    assert.deepEqual(Object.keys(errors).sort(), ['name', 'website'], JSON.stringify(errors));
    for (const error of Object.values(errors)) assert.equal(error.title, 'Invalid attribute');
    return true;
  });
});

test('a duplicate email surfaces as devour\'s error keyed by the email pointer', async () => {
  const visitor = makeClient();
  // The same request, made plainly, to know the 409 document devour gets.
  const body = { data: { type: 'users', attributes: { name: 'Twin', email: grace.email.toUpperCase(), password: PASSWORD } } };
  const plain = await api('POST', '/api/v1/users.json', { body });
  assert.equal(plain.status, 409);
  const [conflict] = plain.body.errors;
  assert.equal(conflict.source.pointer, '/data/attributes/email');
  await assert.rejects(visitor.create('user', body.data.attributes), (errors) => {
    assert.deepEqual(errors, { email: { title: conflict.title, detail: conflict.detail } });
    return true;
  });
});

test('devour lists users with filter[q] and a sparse fieldset', async () => {
  const label = unique('devour-list');
  const ids = await register(label, 4);
  const listed = await admin.findAll('user', {
    filter: { q: label.toUpperCase() }, fields: { users: 'name,email' }, sort: '-id',
  });
  assert.equal(listed.meta.total, 4);
  assert.deepEqual(listed.data.map((user) => user.id), [...ids].reverse());
  for (const user of listed.data) {
    const attributes = Object.keys(user).filter((key) => !['id', 'type', 'links', 'meta'].includes(key));
    assert.deepEqual(attributes.sort(), ['email', 'name']);
    assert.ok(user.email.startsWith(label));
  }
  assertAbsoluteLink(listed.links.self, '/api/v1/users.json?');
});

test('devour pages through users by following links.next until it runs out, seeing each once', async () => {
  const label = unique('devour-pages');
  const ids = await register(label, 7);

  let page = await admin.findAll('user', { filter: { q: label }, page: { size: 3 } });
  const seen = page.data.map((user) => user.id);
  const sizes = [page.data.length];
  while (page.links.next) {
    assertAbsoluteLink(page.links.next, '/api/v1/users.json?');
    page = await admin.request(page.links.next);
    seen.push(...page.data.map((user) => user.id));
    sizes.push(page.data.length);
  }
  assert.deepEqual(sizes, [3, 3, 1]);
  assert.equal(page.links.self, page.links.last);
  assert.deepEqual([...seen].sort(), [...ids].sort(), 'every user seen exactly once');

  page = await admin.findAll('user', { page: { size: 5 } });
  const total = page.meta.total;
  const all = page.data.map((user) => user.id);
  for (let pages = 1; page.links.next; pages += 1) {
    assert.ok(pages <= Math.ceil(total / 5), 'the pages end');
    page = await admin.request(page.links.next);
    all.push(...page.data.map((user) => user.id));
  }
  assert.equal(all.length, total);
  assert.equal(new Set(all).size, total, 'no user seen twice');
  for (const id of ids) assert.ok(all.includes(id));
});

test('devour destroys the user, who is then gone', async () => {
  const destroyed = await grace.client.destroy('user', grace.id);
  assert.equal(destroyed.data, null);
  const admins = await signIn(config.admin);
  assert.equal((await api('GET', `/api/v1/users/${grace.id}.json`, { token: admins })).status, 404);
  await assert.rejects(grace.client.find('user', grace.id), (errors) => {
    assert.equal(Object.values(errors).length, 1, JSON.stringify(errors));
    return true;
  });
});
