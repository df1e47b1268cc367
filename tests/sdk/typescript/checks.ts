// What the TypeScript SDK flows share: their settings, and checks that print
// each line and count failures. Nothing here talks to the service: each flow
// does that only through its generated SDK.

let passed = 0;
let failed = 0;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** Where the service is and who its admin is, from tests/sdk/run. */
export function settings(flow: string) {
  // Unique per run and flow, so flows never meet each other's users.
  const tag = `${flow}-${required("SDK_RUN_ID")}`;
  return {
    baseUrl: required("SDK_BASE_URL"),
    adminEmail: required("SDK_ADMIN_EMAIL"),
    adminPassword: required("SDK_ADMIN_PASSWORD"),
    tag,
    password: "correct horse battery staple",
    email: (name: string) => `${name}.${tag}@example.com`,
  };
}

export function check(what: string, condition: boolean, detail: unknown = ""): boolean {
  if (condition) {
    passed += 1;
    console.log(`  ok    ${what}`);
  } else {
    failed += 1;
    console.log(`  FAIL  ${what}${detail === "" ? "" : `: ${JSON.stringify(detail)}`}`);
  }
  return condition;
}

export function equal(what: string, actual: unknown, expected: unknown): boolean {
  const same = JSON.stringify(actual) === JSON.stringify(expected);
  return check(`${what} == ${JSON.stringify(expected)}`, same, `got ${JSON.stringify(actual)}`);
}

/** Runs `flow`; a throw is one more failure. Exits 1 on any failure. */
export async function run(name: string, flow: () => Promise<void>): Promise<void> {
  console.log(`${name}:`);
  try {
    await flow();
  } catch (error) {
    failed += 1;
    console.log("  FAIL  the flow threw:");
    console.log(error instanceof Error ? error.stack : error);
  }
  console.log(`${name}: ${passed} checks passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}
