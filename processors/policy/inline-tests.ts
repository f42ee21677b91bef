import type { AccountEvent, AuditEvent } from '../../schemas/types.js';
import type { CompiledPolicy } from './compile.js';
import { Evaluator } from './evaluator.js';
import { tableLocator, type GeoLocator } from './geo.js';
import { formatPath } from './problems.js';
import type { ActorAccount, Enricher, PolicyRecord } from './record-context.js';
import { buildTestEvents } from './test-events.js';

/** The outcome of one inline test case. */
export interface TestCaseResult {
  policy: string;
  name: string;
  passed: boolean;
  /** Why it failed, one sentence each. */
  failures: string[];
}

export interface RunTestsOptions {
  /** The GeoIP database for impossible-travel cases that carry no `geoip` table. */
  geo?: GeoLocator | null;
}

/**
 * Runs a policy's inline tests, each case on a fresh evaluator holding only this policy (enabled,
 * in its own mode), and compares what happened with the case's `expect`.
 */
export function runInlineTests(policy: CompiledPolicy, options: RunTestsOptions = {}): TestCaseResult[] {
  const enabled: CompiledPolicy = { ...policy, policy: { ...policy.policy, enabled: true } };
  return policy.policy.tests.map((testCase, index) => {
    const failures: string[] = [];
    const events = buildTestEvents(policy.policy, index, testCase.events, (path, message) => failures.push(`events${formatPath(path).replace(/^([^[])/, '.$1')}: ${message}`));
    const geo = testCase.geoip ? tableLocator(testCase.geoip, options.geo ?? undefined) : options.geo ?? null;
    if (policy.needs.geo && !geo) failures.push('impossible travel needs a GeoIP database: give the case a `geoip` table, or install geoip-lite');
    if (failures.length > 0) return { policy: policy.id, name: testCase.name, passed: false, failures };

    const accounts = new WeakMap<PolicyRecord, ActorAccount | null>();
    const counts = new WeakMap<PolicyRecord, number | null>();
    for (const e of events) {
      accounts.set(e.record, e.actorAccount);
      counts.set(e.record, e.grantUserCount);
    }
    const enricher: Enricher = {
      actorAccount: (event: AuditEvent) => accounts.get(event) ?? null,
      grantUserCount: (grant: AccountEvent) => counts.get(grant) ?? null,
    };
    const evaluator = new Evaluator([enabled], { enricher, geo });

    const alerts = new Map<string, string>();
    const commands = new Set<string>();
    let fired = false;
    for (const e of events) {
      const result = evaluator.process(e.record);
      if (result.matches.length > 0) fired = true;
      for (const d of result.alerts) {
        if (d.isNew && d.alert.attributes.notice === undefined && !alerts.has(d.alert.alert_id)) alerts.set(d.alert.alert_id, d.alert.title);
      }
      for (const c of result.commands) commands.add(c.command_id);
    }

    const expect = testCase.expect;
    const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
    if (expect.match !== undefined && expect.match !== fired) {
      failures.push(expect.match ? 'expected the policy to fire, and it did not' : `expected no match, and it fired${alerts.size ? ` (alert: ${[...alerts.values()][0]})` : ''}`);
    }
    if (expect.alerts !== undefined && expect.alerts !== alerts.size) failures.push(`expected ${plural(expect.alerts, 'alert')}, got ${alerts.size}`);
    if (expect.commands !== undefined && expect.commands !== commands.size) failures.push(`expected ${plural(expect.commands, 'command')}, got ${commands.size}`);
    if (expect.title !== undefined) {
      const title = [...alerts.values()][0];
      if (title !== expect.title) failures.push(`expected the title ${JSON.stringify(expect.title)}, got ${title === undefined ? 'no alert' : JSON.stringify(title)}`);
    }
    return { policy: policy.id, name: testCase.name, passed: failures.length === 0, failures };
  });
}
