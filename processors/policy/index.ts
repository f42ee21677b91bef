/**
 * The policy engine's public surface: the policy language (schema, loader, validation), the pure
 * evaluator and its state, and the inline test runner. Everything here is free of Kafka, ClickHouse
 * and HTTP; the policy processor, the API and the CLI build on it.
 */
export { alertId, type AlertState, type PolicyNoticeKind } from './alerts.js';
export { connectorCapabilities, type ProviderCapabilities } from './capabilities.js';
export { compilePolicy, tryCompilePolicy, type CompiledAction, type CompiledPolicy, type CompileOptions, type PolicyNeeds } from './compile.js';
export { formatDuration, parseDuration } from './duration.js';
export type { AlertDecision, EvaluationResult, EvaluatorOptions, LiveSettings, PolicyMatch, PolicyNotice } from './evaluation.js';
export { Evaluator } from './evaluator.js';
export { fieldPaths, lookupField, POLICY_KINDS, type FieldInfo, type PolicyKind } from './field-catalogue.js';
export { distanceKm, tableLocator, type GeoLocation, type GeoLocator } from './geo.js';
export { loadGeoIpLocator } from './geoip.js';
export { runInlineTests, type RunTestsOptions, type TestCaseResult } from './inline-tests.js';
export { loadPolicyFiles, parsePolicyText, withUniqueIds, type LoadedPolicy, type PolicyLoad } from './loader.js';
export { applyDefaults, type Policy, type PolicyAction } from './policy.js';
export {
  POLICY_MODES, PolicySchema, policyJsonSchema, type ActionDocument, type PolicyDocument, type PolicyMode, type TestCase,
} from './policy-schema.js';
export { formatPath, formatProblem, type PathSegment, type PolicyProblem } from './problems.js';
export {
  RecordContext, recordIdOf, recordKindOf, recordTime, type ActorAccount, type Enricher, type PolicyRecord, type RecordKind,
} from './record-context.js';
export { MemoryPolicyState, type PolicyState, type PolicyStateSnapshot } from './state.js';
export { buildTestEvents, TEST_EPOCH, type TestEvent } from './test-events.js';
export { checkPolicy, type CheckOptions, type PolicyCheck } from './validate.js';
