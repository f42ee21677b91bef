import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import type { ProviderCapabilities } from '../processors/policy/capabilities.js';
import type { GeoLocator } from '../processors/policy/geo.js';
import { runInlineTests } from '../processors/policy/inline-tests.js';
import { loadPolicyFiles } from '../processors/policy/loader.js';
import { formatProblem } from '../processors/policy/problems.js';

export interface PolicyIo {
  stdout: Writable;
  stderr: Writable;
}

export interface PolicyCommandOptions {
  /** What each provider's connector can do; default: the registered connectors. */
  capabilities?: ProviderCapabilities;
  /**
   * Loads the GeoIP database, asked only when an impossible-travel test case carries no `geoip`
   * table; null when there is none. Default: geoip-lite when it is installed.
   */
  loadGeo?: () => Promise<GeoLocator | null>;
}

const USAGE = `usage: appwarden policy test FILES...
       appwarden policy validate FILES...`;
const HELP = `${USAGE}

validate  checks policy files (YAML or JSON; a folder means every .yaml, .yml and .json in it) and
          prints each problem as "file:line: field: what is wrong".
test      validates them, then runs each policy's inline test cases and prints pass or FAIL per case.
Exit status: 0 everything valid (and every test passed), 1 otherwise, 2 usage error.
`;

/** `appwarden policy test|validate FILES...`; returns the exit code. */
export async function runPolicyCommand(args: string[], io: PolicyIo, options: PolicyCommandOptions = {}): Promise<number> {
  let parsed: { values: { help?: boolean }; positionals: string[] };
  try {
    parsed = parseArgs({ args, options: { help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const [command, ...files] = parsed.positionals;
  if (parsed.values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  if (command !== 'test' && command !== 'validate') {
    io.stderr.write(`${command === undefined ? 'name a subcommand' : `unknown subcommand "${command}"`}\n${USAGE}\n`);
    return 2;
  }
  if (files.length === 0) {
    io.stderr.write(`name the policy files or folders to ${command}\n${USAGE}\n`);
    return 2;
  }

  const load = await loadPolicyFiles(files, options.capabilities ? { capabilities: options.capabilities } : {});
  for (const p of load.problems) io.stderr.write(`${formatProblem(p)}\n`);
  const refused = new Set(load.problems.map((p) => `${p.file}\u0000${p.policy ?? ''}`)).size;

  if (command === 'validate') {
    for (const p of load.policies) io.stdout.write(`ok    ${p.file}:${p.line}: ${p.compiled.id}\n`);
    io.stdout.write(`${plural(load.policies.length, 'valid policy', 'valid policies')}, ${plural(load.problems.length, 'problem')}\n`);
    return load.problems.length > 0 ? 1 : 0;
  }

  let geo: GeoLocator | null | undefined;
  const needsDatabase = load.policies.some((p) => p.compiled.needs.geo && p.compiled.policy.tests.some((t) => !t.geoip));
  if (needsDatabase) geo = await (options.loadGeo ?? defaultGeo)();

  let passed = 0;
  let failed = 0;
  let file = '';
  for (const p of load.policies) {
    if (p.file !== file) {
      file = p.file;
      io.stdout.write(`${file}\n`);
    }
    const results = runInlineTests(p.compiled, { geo: geo ?? null });
    if (results.length === 0) io.stdout.write(`  ----  ${p.compiled.id}: no test cases\n`);
    for (const r of results) {
      if (r.passed) passed++;
      else failed++;
      io.stdout.write(`  ${r.passed ? 'pass' : 'FAIL'}  ${r.policy}: ${r.name}\n`);
      for (const f of r.failures) io.stdout.write(`          ${f}\n`);
    }
  }
  const summary = [
    plural(load.policies.length, 'policy', 'policies'),
    `${plural(passed + failed, 'test case')}: ${passed} passed, ${failed} failed`,
    ...(load.problems.length ? [`${plural(load.problems.length, 'problem')} in ${plural(refused, 'refused policy', 'refused policies')}`] : []),
  ];
  io.stdout.write(`${summary.join('; ')}\n`);
  return failed > 0 || load.problems.length > 0 ? 1 : 0;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

async function defaultGeo(): Promise<GeoLocator | null> {
  try {
    const { loadGeoIpLocator } = await import('../processors/policy/geoip.js');
    return await loadGeoIpLocator();
  } catch {
    return null;
  }
}
