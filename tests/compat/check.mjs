// The one breaking-change check, shared by ./run and guard.test.mjs so the
// self-test proves exactly what CI runs.
//
//   node check.mjs <published.json> <generated.json>   exit 0: nothing breaks
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const optic = path.join(here, 'node_modules/@useoptic/optic/build/index.js');

// CI has no network but the package registries: nothing may phone home or
// wait on a host it cannot reach.
export const quietEnv = {
  OPTIC_TELEMETRY_LEVEL: 'off', // optic's Sentry and Segment clients
  NO_UPDATE_NOTIFIER: '1', // update-notifier asks the npm registry for a newer optic
  SCARF_ANALYTICS: 'false', // spectral's install-time analytics
  FORCE_COLOR: '0', // a plain report, whatever the terminal
};

// Runs `optic diff <before> <after> --check` with our ruleset. Resolves to
// { ok, status, output }; ok only when optic ran and found nothing breaking.
// Asynchronous, so that the self-test's runs can overlap.
export function check(before, after) {
  const args = [optic, 'diff', path.resolve(before), path.resolve(after), '--check',
    '--standard', path.join(here, 'optic.yml'), '--severity', 'error'];
  return new Promise((resolve) => {
    // optic resolves optic.yml's ./rules.js against its working directory.
    const child = spawn(process.execPath, args, {
      cwd: here,
      env: { ...process.env, ...quietEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    });
    let output = '';
    child.stdout.on('data', (chunk) => { output += chunk; });
    child.stderr.on('data', (chunk) => { output += chunk; });
    child.on('error', (error) => { output += `\n${error}`; });
    // Its closing hint, "Rerun this command with the --web flag", needs the
    // network CI does not have.
    child.on('close', (status) => resolve({
      ok: status === 0, status, output: output.replace(/^Rerun this command with the --web flag.*\n?/m, ''),
    }));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [before, after] = process.argv.slice(2);
  if (!before || !after) {
    console.error('usage: node check.mjs <published.json> <generated.json>');
    process.exit(2);
  }
  const { ok, output } = await check(before, after);
  process.stdout.write(output);
  process.exit(ok ? 0 : 1);
}
