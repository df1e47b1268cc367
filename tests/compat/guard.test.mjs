// Proves the guard: the committed v1 document, edited the way an innocent
// change to the code would edit it, must fail check() (the function ./run
// uses) with a report naming what broke, and additive or no changes must pass;
// a breaking change regenerated into the committed copy must fail
// checkHistory() (which ./run also uses).
//
//   tests/compat/run --self-test
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { check } from './check.mjs';
import { checkHistory } from './history.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const published = path.join(root, 'openapi/v1.json');
const base = JSON.parse(readFileSync(published, 'utf8'));
const work = mkdtempSync(path.join(tmpdir(), 'compat-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

// Writes a copy of the published document after `edit`, and checks
// published -> copy.
async function checkEdited(name, edit) {
  const document = structuredClone(base);
  edit(document);
  const file = path.join(work, `${name}.json`);
  writeFileSync(file, JSON.stringify(document, null, 2));
  return check(published, file);
}

const schemas = (document) => document.components.schemas;

// Each optic run takes seconds; let them overlap.
const concurrently = { concurrency: true };

describe('breaking changes fail', concurrently, () => {
  it('a removed operation', async () => {
    const { ok, output } = await checkEdited('removed-operation', (document) => {
      assert.ok(document.paths['/api/v1/users/{id}.json'].delete);
      delete document.paths['/api/v1/users/{id}.json'].delete;
    });
    assert.equal(ok, false, output);
    assert.match(output, /DELETE \/api\/v1\/users\/\{id\}\.json: removed/);
    assert.match(output, /\[prevent operation removal\] cannot remove an operation/);
  });

  it('a removed response property', async () => {
    const { ok, output } = await checkEdited('removed-response-property', (document) => {
      assert.ok(schemas(document).UserAttributes.properties.website);
      delete schemas(document).UserAttributes.properties.website;
    });
    assert.equal(ok, false, output);
    assert.match(output, /GET \/api\/v1\/users\/\{id\}\.json/);
    assert.match(output, /cannot remove response property 'website'/);
  });

  it('a new required request member', async () => {
    const { ok, output } = await checkEdited('new-required-request-member', (document) => {
      const attributes = schemas(document).UserCreateAttributes;
      attributes.properties.nickname = { type: 'string', maxLength: 50 };
      attributes.required.push('nickname');
    });
    assert.equal(ok, false, output);
    assert.match(output, /POST \/api\/v1\/users\.json/);
    assert.match(output, /cannot add a required request property 'nickname'/);
  });

  it('a narrowed enum', async () => {
    const { ok, output } = await checkEdited('narrowed-enum', (document) => {
      assert.deepEqual(schemas(document).Role.enum, ['user', 'admin']);
      schemas(document).Role.enum = ['user'];
    });
    assert.equal(ok, false, output);
    // Role is in request bodies and in the filter[role] query parameter.
    assert.match(output, /cannot remove enum option 'admin' from 'role' property/);
    assert.match(output, /cannot remove enum option 'admin' from query parameter 'filter\[role\]'/);
  });
});

// What optic's standard ruleset lets through, caught by rules.js and optic.yml.
describe('breaking changes the standard ruleset misses fail', concurrently, () => {
  it('a tightened request constraint', async () => {
    const { ok, output } = await checkEdited('tightened-constraint', (document) => {
      assert.equal(schemas(document).UserCreateAttributes.properties.address.maxLength, 500);
      schemas(document).UserCreateAttributes.properties.address.maxLength = 50;
    });
    assert.equal(ok, false, output);
    assert.match(output, /cannot tighten request property 'address' \(maxLength 500 -> 50\)/);
  });

  it('a removed query parameter', async () => {
    const { ok, output } = await checkEdited('removed-parameter', (document) => {
      const list = document.paths['/api/v1/users.json'].get;
      assert.ok(list.parameters.some((parameter) => parameter.name === 'sort'));
      list.parameters = list.parameters.filter((parameter) => parameter.name !== 'sort');
    });
    assert.equal(ok, false, output);
    assert.match(output, /cannot remove query parameter 'sort'/);
  });

  it('a removed operation under a new major info.version', async () => {
    const { ok, output } = await checkEdited('major-version', (document) => {
      document.info.version = `${Number(document.info.version.split('.')[0]) + 1}.0.0`;
      delete document.paths['/api/v1/users/{id}.json'].delete;
    });
    assert.equal(ok, false, output);
    assert.match(output, /\[prevent operation removal\] cannot remove an operation/);
  });
});

describe('compatible changes pass', concurrently, () => {
  it('an added optional response property', async () => {
    const { ok, output } = await checkEdited('added-optional-property', (document) => {
      schemas(document).UserAttributes.properties.nickname = {
        type: 'string', nullable: true, description: 'What the user likes to be called.',
      };
    });
    assert.equal(ok, true, output);
    assert.match(output, /property \/schema\/properties\/data\/properties\/attributes\/properties\/nickname: added/);
    assert.doesNotMatch(output, /breaking change/);
  });

  it('an identical document', async () => {
    const { ok, output } = await checkEdited('identical', () => {});
    assert.equal(ok, true, output);
    assert.match(output, /No operations changed/);
  });
});

describe('a breaking change regenerated into the committed copy', () => {
  it('still fails against the history of the copy', async () => {
    // A repository whose document was published, then regenerated with an
    // operation removed, as someone making the guard pass would do.
    const repo = path.join(work, 'history-repo');
    const git = (...args) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' });
    mkdirSync(repo);
    git('init', '-q');
    git('config', 'user.email', 'guard@example.com');
    git('config', 'user.name', 'Guard');
    const file = path.join(repo, 'v1.json');
    writeFileSync(file, JSON.stringify(base, null, 2));
    git('add', 'v1.json');
    git('commit', '-q', '-m', 'published');
    const frozen = git('rev-parse', 'HEAD').trim();
    const broken = structuredClone(base);
    delete broken.paths['/api/v1/users/{id}.json'].delete;
    writeFileSync(file, JSON.stringify(broken, null, 2));
    git('commit', '-q', '-am', 'regenerated');

    const againstCopy = await check(file, file);
    const { checked, failures } = await checkHistory(repo, file, file, frozen);

    assert.equal(againstCopy.ok, true, 'the copy alone no longer tells');
    assert.equal(checked, 2);
    assert.equal(failures.length, 1);
    assert.equal(failures[0].commit, frozen);
    assert.match(failures[0].output, /\[prevent operation removal\] cannot remove an operation/);
  });
});
