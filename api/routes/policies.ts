import Type, { type Static } from 'typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ClickHouse } from '../../core/clickhouse.js';
import { AppwardenError } from '../../core/errors.js';
import type { GeoLocator } from '../../processors/policy/geo.js';
import type { PolicyStore, PutResult, StoredPolicy } from '../../processors/policy/policy-store.js';
import {
  acceptYamlBodies, ApiProblemSchema, compileInput, INPUT_NAME, inputId, PolicyInputSchema, PolicyInvalidSchema, policyInputOf, replyPolicyInvalid,
  toApiProblem, type PolicyInput,
} from '../policy-input.js';
import { ErrorBodySchema } from '../schemas.js';
import { policyBacktestRoute, type BacktestRouteDeps } from './policy-backtest.js';

export interface PolicyRouteDeps {
  clickhouse: ClickHouse;
  /** The largest body of the routes that take a policy (others keep the app's limit). */
  bodyLimit: number;
  backtest: BacktestRouteDeps['limits'];
  /** Deploys policies; without it the routes that read or change deployed policies answer 503. */
  store?: PolicyStore;
  /** For backtests of impossible-travel policies; default geoip-lite, loaded on first use. */
  loadGeo?: () => Promise<GeoLocator>;
}

const NullableString = Type.Union([Type.String(), Type.Null()]);
const IdParamsSchema = Type.Object({ id: Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$', description: 'a policy id: lower-case letters, digits, dashes' }) });
const By = Type.String({ minLength: 1, maxLength: 200, pattern: '^[^\\s]+$', description: 'who makes the change (a login); recorded as `user:<login>`' });
const ByQuerySchema = Type.Object({ by: Type.Optional(By) }, { additionalProperties: false });

const StoredPolicySchema = Type.Object({
  id: Type.String(),
  version: Type.Integer(),
  document: Type.Unknown({ description: 'the policy document as accepted; null for a version that deletes the policy' }),
  text: Type.Union([Type.String(), Type.Null()], { description: 'the YAML or JSON text it was sent as, comments included; null when sent as a JSON document' }),
  deleted: Type.Boolean(),
  at: Type.String(),
  by: NullableString,
  rolled_back_from: Type.Union([Type.Integer(), Type.Null()]),
});

const ValidateBodySchema = Type.Union([...PolicyInputSchema.anyOf, Type.Array(Type.Unknown(), { minItems: 1, description: 'a list of policy documents' })]);
const ValidateResultSchema = Type.Object({
  valid: Type.Boolean(),
  policies: Type.Array(Type.String(), { description: 'the ids of the valid policies' }),
  problems: Type.Array(ApiProblemSchema),
});
const RollbackBodySchema = Type.Object({ version: Type.Integer({ minimum: 1 }), by: Type.Optional(By) }, { additionalProperties: false });

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
    schema: {
      summary: 'Policies deployed through the API',
      description: 'The current version of each policy in the policy store, by id. Policies loaded from a folder at start are not listed.',
      tags: ['policies'],
      response: { 200: Type.Object({ items: Type.Array(StoredPolicySchema) }), 503: ErrorBodySchema },
    },
  }, async () => ({ items: store().list() }));

  app.get('/v1/policies/:id', {
    schema: { summary: 'The current version of a policy', tags: ['policies'], params: IdParamsSchema, response: { 200: StoredPolicySchema, ...STORE_ERRORS } },
  }, async (request) => {
    const { id } = request.params as { id: string };
    const policy = store().get(id);
    if (!policy) throw notFound(id);
    return policy;
  });

  app.put('/v1/policies/:id', {
    bodyLimit: deps.bodyLimit,
    schema: {
      summary: 'Deploy a new version of a policy',
      description: 'The body is the policy: a JSON document, or YAML text (Content-Type application/yaml, text/yaml or text/plain). '
        + 'It is validated first: an invalid policy is refused with 422 and every problem (field and, for text, line), and the running version stays. '
        + 'Every accepted version is kept. A JSON document without an id takes the id of the URL.',
      tags: ['policies'],
      params: IdParamsSchema,
      querystring: ByQuerySchema,
      body: PolicyInputSchema,
      response: { 200: StoredPolicySchema, 422: PolicyInvalidSchema, ...STORE_ERRORS },
    },
  }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const { by } = request.query as Static<typeof ByQuerySchema>;
    let input: PolicyInput = policyInputOf(request.body, 'body');
    const named = inputId(input);
    if (named.id === null && typeof input !== 'string') input = { ...input, id };
    else if (named.id !== null && named.id !== id) {
      return replyPolicyInvalid(reply, [{
        path: ['id'], message: `the policy's id is ${named.id}, the URL's is ${id}: they must be the same`, ...(named.line ? { line: named.line } : {}),
      }]);
    }
    const put = await store().put(input, { file: INPUT_NAME, ...(by ? { by: `user:${by}` } : { by: 'user:api' }) });
    return answerPut(reply, put, id, 'deployed');
  });

  app.delete('/v1/policies/:id', {
    schema: {
      summary: 'Delete a policy',
      description: 'Stores a version that deletes the policy: it stops running everywhere, also when a policy folder has it. Earlier versions stay, for a rollback.',
      tags: ['policies'],
      params: IdParamsSchema,
      querystring: ByQuerySchema,
      response: { 200: StoredPolicySchema, ...STORE_ERRORS },
    },
  }, async (request) => {
    const { id } = request.params as { id: string };
    const { by } = request.query as Static<typeof ByQuerySchema>;
    const deleted = await store().delete(id, { by: `user:${by ?? 'api'}` });
    request.log.info({ policyId: id, version: deleted.version, by: deleted.by }, 'policy deleted');
    return deleted;
  });

  app.get('/v1/policies/:id/versions', {
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
    schema: {
      summary: 'Make an earlier version current again',
      description: 'Deploys the text (or document) of that version as a new version; the history stays as it was. 422 when that version is no longer valid (e.g. a connector lost an action).',
      tags: ['policies'],
      params: IdParamsSchema,
      body: RollbackBodySchema,
      response: { 200: StoredPolicySchema, 422: PolicyInvalidSchema, ...STORE_ERRORS },
    },
  }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const body = request.body as Static<typeof RollbackBodySchema>;
    const put = await store().rollback(id, body.version, { by: `user:${body.by ?? 'api'}` });
    return answerPut(reply, put, id, 'rolled back');
  });

  app.post('/v1/policies/validate', {
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

  function answerPut(reply: FastifyReply, put: PutResult, id: string, what: string): FastifyReply | StoredPolicy {
    if (!put.ok) return replyPolicyInvalid(reply, put.problems);
    reply.log.info({ policyId: id, version: put.version, by: put.policy.by }, `policy ${what}`);
    return put.policy;
  }
}

function notFound(id: string): AppwardenError {
  return new AppwardenError('AW_NOT_FOUND', `no policy ${id} in the policy store`, { details: { field: 'id' } });
}
