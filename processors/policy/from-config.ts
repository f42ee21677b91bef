import path from 'node:path';
import type { AppConfig } from '../../core/config.js';
import type { KafkaBus } from '../../core/kafka.js';
import type { Logger } from '../../core/logger.js';
import type { LiveSettings } from './evaluation.js';
import { loadPolicyFiles } from './loader.js';
import type { PolicyLimits } from './policy-store.js';
import { PolicyProcessor, type PolicyProcessorOptions } from './processor.js';
import { formatProblem } from './problems.js';

/**
 * The version policies read from a folder carry: the store numbers its versions from 1, so a
 * version deployed over a folder's policy is always a new version (its windows carry over, but a
 * disable or safety stop of the folder's version does not).
 */
export const FOLDER_POLICY_VERSION = 0;

/** The policy processors' consumer group: `policies.groupId`, else `<topicPrefix>.policy`. */
export function policyGroupId(config: Pick<AppConfig, 'policies' | 'kafka'>): string {
  return config.policies.groupId ?? `${config.kafka.topicPrefix}.policy`;
}

/** The folders (and files) the configuration loads at start: the built-in folder first, then `policies.folders`. */
export function policyFolders(config: Pick<AppConfig, 'policies'>, builtinFolder: string): string[] {
  return [...(config.policies.builtins ? [builtinFolder] : []), ...config.policies.folders.map((f) => path.resolve(f))];
}

/** The bounds of the policy store, and the notify recipients policies may name. */
export function policyLimits(config: Pick<AppConfig, 'governance' | 'policies'>): PolicyLimits {
  const { maxPolicies, maxVersions, maxDocumentBytes } = config.policies;
  return { maxPolicies, maxVersions, maxDocumentBytes, allowedRecipients: config.governance.notify.allowedRecipients };
}

/** The wall clock, governance ceilings and time budget a live policy processor evaluates with. */
export function liveSettings(config: Pick<AppConfig, 'governance' | 'policies'>): LiveSettings {
  return {
    now: Date.now,
    maxEventAgeMs: config.governance.maxEventAgeMs,
    maxTargetsPerHour: config.governance.limits.policyTargetsPerHour,
    budgetMs: config.policies.evaluationBudgetMs,
    strikes: config.policies.evaluationStrikes,
  };
}

/**
 * A policy processor for this configuration, with the policies of its folders. A policy that fails
 * to load is left out and each of its problems is logged (file, line, field); the others run.
 */
export async function createPolicyProcessor(
  config: AppConfig, bus: KafkaBus, log: Logger, builtinFolder: string, extra: Partial<PolicyProcessorOptions> & Pick<PolicyProcessorOptions, 'signingKey'>,
): Promise<PolicyProcessor> {
  const folders = policyFolders(config, builtinFolder);
  const limits = policyLimits(config);
  const load = await loadPolicyFiles(folders, { version: FOLDER_POLICY_VERSION, maxDocumentBytes: limits.maxDocumentBytes, allowedRecipients: limits.allowedRecipients! });
  const plog = log.child({ component: 'policy' });
  for (const problem of load.problems) plog.error({ file: problem.file, line: problem.line, policyId: problem.policy }, `policy refused: ${formatProblem(problem)}`);
  plog.info({ folders, policies: load.policies.length, refused: load.problems.length }, 'policy files loaded');
  return new PolicyProcessor({
    bus, log, groupId: policyGroupId(config), policies: load.policies.map((p) => p.compiled), lateArrivalMs: config.policies.lateArrivalMs,
    live: liveSettings(config), storeLimits: limits, ...extra,
  });
}
