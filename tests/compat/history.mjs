// Checks a generated document against every version of its committed copy
// that git history holds since the version was frozen (following renames),
// not only the copy in the working tree: a breaking change regenerated into
// the copy still breaks against the versions clients were generated from, so
// the guard need not trust the copy.
//
//   node history.mjs <committed path> <generated.json> <frozen since: commit>
//   exit 0: nothing breaks
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { check } from './check.mjs';

// Every version of `file` committed in the repository at `repo` from commit
// `since` on, newest first: [{ commit, path, text }]. An empty history is an
// error: a guard with nothing to compare proves nothing.
export function publishedVersions(repo, file, since) {
  const git = (...args) => execFileSync('git', ['-C', repo, ...args], {
    encoding: 'utf8', maxBuffer: 256 * 1024 * 1024,
  });
  const frozen = git('rev-parse', '--verify', `${since}^{commit}`).trim();
  const inRange = new Set(git('rev-list', `${frozen}..HEAD`).split('\n').filter(Boolean));
  inRange.add(frozen);
  const log = git('log', '--follow', '--name-only', '--format=commit %H', '--', file);
  const versions = [];
  let commit;
  for (const line of log.split('\n')) {
    if (line.startsWith('commit ')) {
      commit = line.slice('commit '.length);
      if (!inRange.has(commit)) commit = undefined;
    } else if (line.trim() && commit) {
      versions.push({ commit, path: line, text: git('show', `${commit}:${line}`) });
      commit = undefined;
    }
  }
  if (versions.length === 0) {
    throw new Error(`git has no history of ${file} in ${repo}`);
  }
  return versions;
}

// Checks every distinct published version -> `generated`, two at a time.
// Resolves to the failures: [{ commit, path, output }].
export async function checkHistory(repo, file, generated, since) {
  const seen = new Set();
  const versions = publishedVersions(repo, file, since).filter(({ text }) => !seen.has(text) && seen.add(text));
  const work = mkdtempSync(path.join(tmpdir(), 'compat-history-'));
  try {
    const failures = [];
    const queue = [...versions];
    const worker = async () => {
      for (let version = queue.shift(); version; version = queue.shift()) {
        const copy = path.join(work, `${version.commit}.json`);
        writeFileSync(copy, version.text);
        const { ok, output } = await check(copy, generated);
        if (!ok) failures.push({ commit: version.commit, path: version.path, output });
      }
    };
    await Promise.all([worker(), worker()]);
    return { checked: versions.length, failures };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, generated, since] = process.argv.slice(2);
  if (!file || !generated || !since) {
    console.error('usage: node history.mjs <committed path> <generated.json> <frozen since>');
    process.exit(2);
  }
  const repo = path.dirname(path.resolve(file));
  const { checked, failures } = await checkHistory(
    repo, path.resolve(file), path.resolve(generated), since,
  );
  for (const { commit, path: old, output } of failures) {
    console.log(`-- breaks against ${old} as committed in ${commit.slice(0, 12)}:`);
    process.stdout.write(output);
  }
  console.log(`history: ${checked} committed versions checked, ${failures.length} broken against`);
  process.exit(failures.length === 0 ? 0 : 1);
}
