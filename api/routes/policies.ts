import Type, { type Static } from 'typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ClickHouse } from '../../core/clickhouse.js';
import { AppwardenError } from '../../core/errors.js';
import type { GeoLocator } from '../../processors/policy/geo.js';
import type { PolicyStore, PutResult, StoredPolicy } from '../../processors/policy/policy-store.js';
import {
  acceptYamlBodies, ApiProblemSchema, compileInput, INPUT_NAME, inputId, PolicyInputSchema, PolicyInvalidSchema, policyInputOf, replyPolicyInvalid,
  toApiProblem, type PolicyInput,
} from '../policy-input.js';
import { principalOf } from '../auth/guard.js';
import type { Principal } from '../auth/roles.js';
import type { PolicyProposals } from '../policy-proposals.js';
import { ErrorBodySchema } from '../schemas.js';
import { policyBacktestRoute, type BacktestRouteDeps } from './policy-backtest.js';

export interface PolicyRouteDeps {
  clickhouse: ClickHouse;
  /** The largest body of the routes that take a policy (others keep the app's limit). */
  bodyLimit: number;
  backtest: BacktestRouteDeps['limits'];
  /** Deploys policies; without it the routes that read or change deployed policies answer 503. */
  store?: PolicyStore;
  /** Enforce-mode versions proposed by policy authors, waiting for an admin; without it only admins deploy enforce mode. */
  proposals?: PolicyProposals;
  /** Ids of the built-in policies: changing, disabling or deleting one needs an admin. */
  builtinIds: ReadonlySet<string>;
  /** For backtests of impossible-travel policies; default geoip-lite, loaded on first use. */
  loadGeo?: () => Promise<GeoLocator>;
}

const NullableString = Type.Union([Type.String(), Type.Null()]);
const IdParamsSchema = Type.Object({ id: Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$', description: 'a policy id: lower-case letters, digits, dashes' }) });

const StoredPolicySchema = Type.Object({
  id: Type.String(),
  version: Type.Integer(),
  document: Type.Unknown({ description: 'the policy document as accepted; null for a version that deletes the policy' }),
  text: Type.Union([Type.String(), Type.Null()], { description: 'the YAML or JSON text it was sent as, comments included; null when sent as a JSON document' }),
  deleted: Type.Boolean(),
  at: Type.String(),
  by: NullableString,
  rolled_back_from: Type.Union([Type.Integer(), Type.Null()]),
  approved_by: Type.Optional(NullableString),
});

const ProposalSchema = Type.Object({
  id: Type.String(),
  input: Type.Unknown({ description: 'the policy as proposed: YAML text or a JSON document' }),
  proposed_by: Type.String(),
  proposed_at: Type.String(),
  over_version: Type.Integer({ description: 'the version current when it was proposed (0: none)' }),
});
const ProposedSchema = Type.Object({ proposal: ProposalSchema, message: Type.String() });
const EmptyBodySchema = Type.Object({}, { additionalProperties: false, description: 'an empty JSON object, `{}`' });

const ValidateBodySchema = Type.Union([...PolicyInputSchema.anyOf, Type.Array(Type.Unknown(), { minItems: 1, description: 'a list of policy documents' })]);
const ValidateResultSchema = Type.Object({
  valid: Type.Boolean(),
  policies: Type.Array(Type.String(), { description: 'the ids of the valid policies' }),
  problems: Type.Array(ApiProblemSchema),
});
const RollbackBodySchema = Type.Object({ version: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });

const STORE_ERRORS = { 400: ErrorBodySchema, 404: ErrorBodySchema, 503: ErrorBodySchema };

/**
 * Policies deployed through the API (`PolicyStore`, followed by every policy processor: a deploy
 * takes effect without a restart), validation, and backtests over stored history.
 */
export function policyRoutes(app: FastifyInstance, deps: PolicyRouteDeps): void {
  acceptYamlBodies(app);
  const store = (): PolicyStore => {
    if (!deps.store) throw new AppwardenError('AW_NOT_READY', 'this API process has no policy store (it needs Kafka), so it cannot read or deploy policies');
    return deps.store;
  };

  app.get('/v1/policies', {
    config: { role: 'policy-author' },
    schema: {
      summary: 'Policies deployed through the API',
      description: 'The current version of each policy in the policy store, by id. Policies loaded from a folder at start are not listed.',
      tags: ['policies'],
      response: { 200: Type.Object({ items: Type.Array(StoredPolicySchema) }), 503: ErrorBodySchema },
    },
  }, async () => ({ items: store().list() }));

  app.get('/v1/policies/:id', {
    config: { role: 'policy-author' },
    schema: { summary: 'The current version of a policy', tags: ['policies'], params: IdParamsSchema, response: { 200: StoredPolicySchema, ...STORE_ERRORS } },
  }, async (request) => {
    const { id } = request.params as { id: string };
    const policy = store().get(id);
    if (!policy) throw notFound(id);
    return policy;
  });

  app.put('/v1/policies/:id', {
    config: { role: 'policy-author' },
    bodyLimit: deps.bodyLimit,
    schema: {
      summary: 'Deploy a new version of a policy',
      description: 'The body is the policy: a JSON document, or YAML text (Content-Type application/yaml or text/yaml). '
        + 'A version in enforce mode from a policy author is stored as a proposal (202) and runs once an admin approves it (POST /v1/policies/:id/approve); a built-in policy is changed by admins only. '
        + 'It is validated first: an invalid policy is refused with 422 and every problem (field and, for text, line), and the running version stays. '
        + 'Every accepted version is kept. A JSON document without an id takes the id of the URL.',
      tags: ['policies'],
      params: IdParamsSchema,
      body: PolicyInputSchema,
      response: { 200: StoredPolicySchema, 202: ProposedSchema, 422: PolicyInvalidSchema, ...STORE_ERRORS },
    },
  }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const principal = principalOf(request);
    requireAdminForBuiltin(id, principal);
    let input: PolicyInput = policyInputOf(request.body, 'body');
    const named = inputId(input);
    if (named.id === null && typeof input !== 'string') input = { ...input, id };
    else if (named.id !== null && named.id !== id) {
      return replyPolicyInvalid(reply, [{
        path: ['id'], message: `the policy's id is ${named.id}, the URL's is ${id}: they must be the same`, ...(named.line ? { line: named.line } : {}),
      }]);
    }
    const check = store().validate(input, { file: INPUT_NAME });
    if (!check.compiled) return replyPolicyInvalid(reply, check.problems);
    if (needsApproval(check.compiled.policy.mode, principal)) return propose(request, reply, id, input, principal);
    const put = await store().put(input, { file: INPUT_NAME, by: principal.id });
    if (put.ok && principal.role === 'admin') await deps.proposals?.clear(id);
    return answerPut(request, reply, put, id, 'deployed');
  });

  app.delete('/v1/policies/:id', {
    config: { role: 'policy-author' },
    schema: {
      summary: 'Delete a policy',
      description: 'Stores a version that deletes the policy: it stops running everywhere, also when a policy folder has it. Earlier versions stay, for a rollback.',
      tags: ['policies'],
      params: IdParamsSchema,
      response: { 200: StoredPolicySchema, ...STORE_ERRORS },
    },
  }, async (request) => {
    const { id } = request.params as { id: string };
    const principal = principalOf(request);
    requireAdminForBuiltin(id, principal);
    const deleted = await store().delete(id, { by: principal.id });
    request.auditNote = { target: id, summary: `deleted policy ${id} (version ${deleted.version})` };
    request.log.info({ policyId: id, version: deleted.version, by: deleted.by }, 'policy deleted');
    return deleted;
  });

  app.get('/v1/policies/:id/versions', {
    config: { role: 'policy-author' },
    schema: {
      summary: 'Every accepted version of a policy, oldest first',
      tags: ['policies'],
      params: IdParamsSchema,
      response: { 200: Type.Object({ items: Type.Array(StoredPolicySchema) }), ...STORE_ERRORS },
    },
  }, async (request) => {
    const { id } = request.params as { id: string };
    const versions = store().versions(id);
    if (versions.length === 0) throw notFound(id);
    return { items: versions };
  });

  app.post('/v1/policies/:id/rollback', {
    config: { role: 'policy-author' },
    schema: {
      summary: 'Make an earlier version current again',
      description: 'Deploys the text (or document) of that version as a new version; the history stays as it was. 422 when that version is no longer valid (e.g. a connector lost an action).',
      tags: ['policies'],
      params: IdParamsSchema,
      body: RollbackBodySchema,
      response: { 200: StoredPolicySchema, 202: ProposedSchema, 422: PolicyInvalidSchema, ...STORE_ERRORS },
    },
  }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const body = request.body as Static<typeof RollbackBodySchema>;
    const principal = principalOf(request);
    requireAdminForBuiltin(id, principal);
    const earlier = store().versions(id).find((v) => v.version === body.version);
    if (earlier?.document && needsApproval(earlier.document.mode ?? 'alert', principal)) {
      return propose(request, reply, id, earlier.text ?? earlier.document, principal);
    }
    const put = await store().rollback(id, body.version, { by: principal.id });
    return answerPut(request, reply, put, id, `rolled back to version ${body.version}`);
  });

  app.get('/v1/policies/:id/proposal', {
    config: { role: 'policy-author' },
    schema: {
      summary: 'The enforce-mode version proposed for a policy, waiting for an admin',
      tags: ['policies'],
      params: IdParamsSchema,
      response: { 200: ProposalSchema, ...STORE_ERRORS },
    },
  }, async (request) => {
    const { id } = request.params as { id: string };
    const proposal = deps.proposals?.get(id);
    if (!proposal) throw new AppwardenError('AW_NOT_FOUND', `policy ${id} has no proposal waiting`, { details: { field: 'id' } });
    return proposal;
  });

  app.post('/v1/policies/:id/approve', {
    config: { role: 'admin' },
    schema: {
      summary: 'Approve the proposed version of a policy: it is deployed',
      description: 'Deploys the proposal as a new version (kept with who proposed and who approved it). The approver must not be the proposer.',
      tags: ['policies'],
      params: IdParamsSchema,
      body: EmptyBodySchema,
      response: { 200: StoredPolicySchema, 422: PolicyInvalidSchema, ...STORE_ERRORS },
    },
  }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const principal = principalOf(request);
    const proposal = deps.proposals?.get(id);
    if (!proposal) throw new AppwardenError('AW_NOT_FOUND', `policy ${id} has no proposal waiting`, { details: { field: 'id' } });
    if (proposal.proposed_by === principal.id) {
      throw new AppwardenError('AW_SEPARATION_OF_DUTIES', `the proposal of policy ${id} was made with this credential; another admin must approve it`);
    }
    const put = await store().put(proposal.input, { file: INPUT_NAME, by: proposal.proposed_by, approvedBy: principal.id });
    if (put.ok) await deps.proposals?.clear(id);
    return answerPut(request, reply, put, id, `deployed as proposed by ${proposal.proposed_by}, approved`);
  });

  app.post('/v1/policies/validate', {
    config: { role: 'policy-author', changesNothing: true },
    bodyLimit: deps.bodyLimit,
    schema: {
      summary: 'Check a policy without deploying it',
      description: 'The body is a policy (JSON document or YAML text, as for PUT), or a list of policies. Answers every problem with its field and, for text, its line.',
      tags: ['policies'],
      body: ValidateBodySchema,
      response: { 200: ValidateResultSchema, 400: ErrorBodySchema },
    },
  }, async (request) => {
    const input = Array.isArray(request.body) ? (request.body as unknown[]) : policyInputOf(request.body, 'body');
    const { policies, problems } = compileInput(input);
    return { valid: problems.length === 0 && policies.length > 0, policies: policies.map((p) => p.id), problems: problems.map(toApiProblem) };
  });

  policyBacktestRoute(app, { clickhouse: deps.clickhouse, bodyLimit: deps.bodyLimit, limits: deps.backtest, ...(deps.loadGeo ? { loadGeo: deps.loadGeo } : {}) });

  function answerPut(request: FastifyRequest, reply: FastifyReply, put: PutResult, id: string, what: string): FastifyReply | StoredPolicy {
    if (!put.ok) return replyPolicyInvalid(reply, put.problems);
    const mode = put.policy.document?.mode ?? 'alert';
    request.auditNote = { target: id, summary: `policy ${id} version ${put.version} (${mode} mode) ${what}` };
    reply.log.info({ policyId: id, version: put.version, by: put.policy.by }, `policy ${what}`);
    return put.policy;
  }

  /** A built-in detection is the organisation's baseline: only an admin changes, disables or deletes it. */
  function requireAdminForBuiltin(id: string, principal: Principal): void {
    if (deps.builtinIds.has(id) && principal.role !== 'admin') {
      throw new AppwardenError('AW_FORBIDDEN', `${id} is a built-in policy: only an admin may change, disable or delete it`);
    }
  }

  async function propose(request: FastifyRequest, reply: FastifyReply, id: string, input: unknown, principal: Principal): Promise<FastifyReply> {
    if (!deps.proposals) throw new AppwardenError('AW_FORBIDDEN', 'a policy in enforce mode is deployed by an admin');
    const proposal = { id, input, proposed_by: principal.id, proposed_at: new Date().toISOString(), over_version: store().get(id)?.version ?? 0 };
    await deps.proposals.propose(proposal);
    request.auditNote = { target: id, summary: `proposed policy ${id} in enforce mode, waiting for an admin` };
    request.log.info({ policyId: id, by: principal.id }, 'enforce-mode policy proposed');
    return reply.status(202).send({ proposal, message: `policy ${id} in enforce mode needs an admin's approval: POST /v1/policies/${id}/approve` });
  }
}

/** Enforce mode acts on the organisation's accounts: below admin it is only proposed. */
function needsApproval(mode: string, principal: Principal): boolean {
  return mode === 'enforce' && principal.role !== 'admin';
}

function notFound(id: string): AppwardenError {
  return new AppwardenError('AW_NOT_FOUND', `no policy ${id} in the policy store`, { details: { field: 'id' } });
}
