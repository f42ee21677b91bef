import { randomUUID } from 'node:crypto';
import Type, { type Static } from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { ClickHouse } from '../../core/clickhouse.js';
import { AppwardenError } from '../../core/errors.js';
import type { KafkaBus } from '../../core/kafka.js';
import { ACTION_VERBS } from '../../ingestors/contract.js';
import { commandMessage, governanceCommandId, revertCommandId, type ActionCatalog, type CommandIntent, type SigningKey } from '../../processors/governance/index.js';
import type { GovernanceCommand } from '../../schemas/types.js';
import { GOVERNANCE_STATUSES, PROVIDERS, type Provider } from '../../schemas/vocabulary.js';
import { principalOf } from '../auth/guard.js';
import { requesterOf } from '../auth/roles.js';
import { badRequest } from '../errors.js';
import { Conditions, keysetPage } from '../conditions.js';
import { DEFAULT_PAGE_SIZE, decodeCursor, encodeCursor, invalidCursor, pageLimit } from '../pagination.js';
import { ErrorBodySchema } from '../schemas.js';
import { COMMANDS_SQL, CommandSchema, commandOf, findCommand, StepSchema, toCommand, type CommandRow } from './governance-commands.js';

export interface GovernanceRouteDeps {
  clickhouse: ClickHouse;
  maxPageSize: number;
  /** Publishes commands; without it the POST routes answer 503. */
  bus?: KafkaBus;
  /** The configured instances and their actions: checks a request's instance and finds inverses. */
  actions?: ActionCatalog;
  /** Signs the commands published (required with `bus`): the executor ignores unsigned ones. */
  signingKey?: SigningKey;
}

const ACTIONS = [...ACTION_VERBS, 'notify'] as const;
const TARGET_TYPES = ['user', 'group', 'file', 'app_grant', 'bucket', 'privilege'] as const;
const NullableString = Type.Union([Type.String(), Type.Null()]);

const ListQuerySchema = Type.Object({
  status: Type.Optional(Type.Enum(GOVERNANCE_STATUSES)),
  provider: Type.Optional(Type.String({ minLength: 1 })),
  instance: Type.Optional(Type.String({ minLength: 1 })),
  target: Type.Optional(Type.String({ minLength: 1, description: "the target's id, or its name (case-insensitive)" })),
  policy: Type.Optional(Type.String({ minLength: 1, description: 'the policy that asked for the action' })),
  action: Type.Optional(Type.String({ minLength: 1, description: 'the governance verb, e.g. suspend_user' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, description: `page size, default ${DEFAULT_PAGE_SIZE} (at most the configured maximum page size)` })),
  cursor: Type.Optional(Type.String({ minLength: 1, description: 'next_cursor of the previous page' })),
}, { additionalProperties: false });

const IdParamsSchema = Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{32}$', description: 'a command id: 32 hex digits' }) });

/** Approve, retry and revert take an empty JSON object: who asks comes from the credential. */
const ActBodySchema = Type.Object({}, { additionalProperties: false, description: 'an empty JSON object, `{}`' });

const CreateBodySchema = Type.Object({
  provider: Type.Enum(PROVIDERS),
  instance: Type.String({ minLength: 1, maxLength: 100 }),
  action: Type.Enum(ACTIONS),
  target: Type.Object({
    type: Type.Enum(TARGET_TYPES),
    id: Type.String({ minLength: 1, maxLength: 500 }),
    name: Type.Optional(Type.String({ maxLength: 500 })),
  }, { additionalProperties: false }),
  params: Type.Optional(Type.Record(Type.String({ minLength: 1, maxLength: 100 }), Type.String({ maxLength: 10_000 }))),
  requires_approval: Type.Optional(Type.Boolean({ description: 'wait for POST /v1/governance/:id/approve before acting' })),
  dry_run: Type.Optional(Type.Boolean({ description: 'record what would be done, change nothing' })),
  request_id: Type.Optional(Type.String({
    minLength: 1, maxLength: 200, description: 'your idempotency key: the same request_id and action on the same target is one command, however often it is sent',
  })),
}, { additionalProperties: false });

const AcceptedSchema = Type.Object({
  command_id: Type.String(),
  status: Type.String({ description: 'what was asked: pending (a new command), approve, retry' }),
  reverts: Type.Optional(Type.String({ description: 'on a revert: the command it undoes' })),
});

type ListQuery = Static<typeof ListQuerySchema>;
type CreateBody = Static<typeof CreateBodySchema>;

/**
 * The governance log and the requests that act on it: list and read commands, ask for an action by
 * hand, approve, retry and revert. Every request that acts publishes a command message; the
 * executors carry it out and record its steps.
 */
export function governanceRoutes(app: FastifyInstance, deps: GovernanceRouteDeps): void {
  app.get('/v1/governance', {
    config: { role: 'analyst' },
    schema: {
      summary: 'Governance commands with their latest status',
      description: 'Newest first. Filters combine with AND; `status` is the latest status. Pass `next_cursor` back as `cursor` for the next page.',
      tags: ['governance'],
      querystring: ListQuerySchema,
      response: { 200: Type.Object({ items: Type.Array(CommandSchema), next_cursor: NullableString }), 400: ErrorBodySchema },
    },
  }, async (request) => {
    const query = request.query as ListQuery;
    const limit = pageLimit(query.limit, deps.maxPageSize);
    const where = new Conditions({ limit: limit + 1 })
      .equals('status', 'status', query.status)
      .equals('provider', 'provider', query.provider)
      .equals('instance', 'instance', query.instance)
      .equals('policy_id', 'policy', query.policy)
      .equals('action', 'action', query.action);
    if (query.target !== undefined) where.add('(target_id = {target:String} OR lower(target_name) = lower({target:String}))', { target: query.target });
    if (query.cursor !== undefined) {
      const [t, id] = decodeCursor(query.cursor, 2) as [string, string];
      const at = Date.parse(t);
      if (!Number.isFinite(at)) throw invalidCursor();
      where.add('(created_at, command_id) < (fromUnixTimestamp64Milli({c_at:Int64}, \'UTC\'), {c_id:String})', { c_at: at, c_id: id });
    }
    const rows = await deps.clickhouse.query<CommandRow>(
      `SELECT * FROM (${COMMANDS_SQL}) WHERE ${where} ORDER BY created_at DESC, command_id DESC LIMIT {limit:UInt32}`,
      where.params,
    );
    return keysetPage(rows, limit, toCommand, (last) => encodeCursor([last.created_at, last.command_id]));
  });

  app.get('/v1/governance/:id', {
    config: { role: 'analyst' },
    schema: {
      summary: 'One governance command and every step of its history',
      tags: ['governance'],
      params: IdParamsSchema,
      response: { 200: Type.Object({ command: CommandSchema, history: Type.Array(StepSchema) }), 400: ErrorBodySchema, 404: ErrorBodySchema },
    },
  }, async (request) => {
    const { id } = request.params as { id: string };
    const command = await findCommand(deps.clickhouse, id);
    const history = await deps.clickhouse.query<Static<typeof StepSchema>>(
      'SELECT status, attempt, at, message, retriable FROM governance_log FINAL WHERE command_id = {id:String} ORDER BY at, attempt',
      { id },
    );
    return { command: toCommand(command), history: history.map((s) => ({ ...s, retriable: Boolean(s.retriable) })) };
  });

  app.post('/v1/governance', {
    config: { role: 'responder' },
    schema: {
      summary: 'Ask for a governance action by hand (suspend this user, now)',
      description: 'Publishes a command; the answer is 202 with its id, and `GET /v1/governance/:id` follows it.',
      tags: ['governance'],
      body: CreateBodySchema,
      response: { 202: AcceptedSchema, 400: ErrorBodySchema, 503: ErrorBodySchema },
    },
  }, async (request, reply) => {
    const body = request.body as CreateBody;
    const { bus, signingKey } = requireBus(deps);
    if (deps.actions && !deps.actions.hasInstance(body.provider, body.instance)) {
      throw badRequest(`body.instance: no connector instance ${body.provider}.${body.instance} is configured`, 'instance');
    }
    const requester = requesterOf(principalOf(request));
    const requestedBy = requester.id;
    const origin = `request:${body.request_id ?? randomUUID()}`;
    const command: GovernanceCommand = {
      command_id: governanceCommandId(origin, body.provider, body.instance, body.action, body.target.id),
      created_at: Date.now(),
      provider: body.provider as Provider,
      instance: body.instance,
      action: body.action,
      target: { type: body.target.type, id: body.target.id, name: body.target.name ?? null },
      params: body.params ?? {},
      policy_id: null,
      alert_id: null,
      requested_by: requestedBy,
      mode: body.dry_run ? 'dry_run' : 'enforce',
      requires_approval: body.requires_approval ?? false,
    };
    await bus.send(bus.topics.governanceCommand, [commandMessage(command, { requestedBy: requester }, signingKey)]);
    request.auditNote = { target: command.command_id, summary: `${command.mode} ${command.action} on ${command.provider}.${command.instance} ${command.target.type} ${command.target.id}${command.requires_approval ? ' (awaiting approval)' : ''}` };
    request.log.info({ commandId: command.command_id, action: command.action, target: command.target.id, requestedBy }, 'governance command requested');
    return reply.status(202).send({ command_id: command.command_id, status: 'pending' });
  });

  const intentRoute = (intent: Exclude<CommandIntent, 'execute'>, needs: string, summary: string) => {
    app.post(`/v1/governance/:id/${intent}`, {
    config: { role: 'responder' },
      schema: {
        summary,
        tags: ['governance'],
        params: IdParamsSchema,
        body: ActBodySchema,
        response: { 202: AcceptedSchema, 400: ErrorBodySchema, 404: ErrorBodySchema, 409: ErrorBodySchema, 503: ErrorBodySchema },
      },
    }, async (request, reply) => {
      const { id } = request.params as { id: string };
      const { bus, signingKey } = requireBus(deps);
      const row = await findCommand(deps.clickhouse, id);
      if (row.status !== needs) {
        throw new AppwardenError('AW_GOVERNANCE_CONFLICT', `command ${id} is ${row.status}; only a command that is ${needs} can be ${intent === 'approve' ? 'approved' : 'retried'}`, {
          details: { status: row.status },
        });
      }
      const requester = requesterOf(principalOf(request));
      if (intent === 'approve' && row.requested_by === requester.id) {
        throw new AppwardenError('AW_SEPARATION_OF_DUTIES', `command ${id} was asked for by this credential (${requester.id}); someone else must approve it`);
      }
      await bus.send(bus.topics.governanceCommand, [commandMessage(commandOf(row), { intent, requestedBy: requester }, signingKey)]);
      request.auditNote = { target: id, summary: `${intent} ${row.action} on ${row.provider}.${row.instance} ${row.target_type} ${row.target_id}` };
      request.log.info({ commandId: id, intent, requestedBy: requester.id }, `governance command ${intent} requested`);
      return reply.status(202).send({ command_id: id, status: intent });
    });
  };
  intentRoute('approve', 'awaiting_approval', 'Approve a command that waits for approval');
  intentRoute('retry', 'failed', 'Try a failed command again');

  app.post('/v1/governance/:id/revert', {
    config: { role: 'responder' },
    schema: {
      summary: 'Undo a succeeded action with its inverse (unsuspend a suspended user)',
      description: 'Publishes the inverse action as a command of its own (its id is answered); once it succeeds, the original is `reverted`.',
      tags: ['governance'],
      params: IdParamsSchema,
      body: ActBodySchema,
      response: { 202: AcceptedSchema, 400: ErrorBodySchema, 404: ErrorBodySchema, 409: ErrorBodySchema, 503: ErrorBodySchema },
    },
  }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const { bus, signingKey } = requireBus(deps);
    const row = await findCommand(deps.clickhouse, id);
    const inverse = deps.actions?.inverseOf(row.provider, row.instance, row.action);
    if (!inverse) {
      throw new AppwardenError('AW_GOVERNANCE_NOT_REVERSIBLE', `${row.action} on ${row.provider}.${row.instance} has no inverse action, so command ${id} cannot be reverted`, {
        details: { action: row.action },
      });
    }
    if (row.status !== 'succeeded') {
      throw new AppwardenError('AW_GOVERNANCE_CONFLICT', `command ${id} is ${row.status}; only a succeeded command can be reverted`, { details: { status: row.status } });
    }
    const original = commandOf(row);
    const requester = requesterOf(principalOf(request));
    const by = requester.id;
    // Undoing an action needs the same approval as the action did: someone other than who asks for the revert.
    const revert: GovernanceCommand = {
      ...original,
      command_id: revertCommandId(id, row.provider, row.instance, inverse, row.target_id),
      created_at: Date.now(),
      action: inverse,
      requested_by: by,
      mode: 'enforce',
      requires_approval: original.requires_approval,
    };
    await bus.send(bus.topics.governanceCommand, [commandMessage(revert, { reverts: id, requestedBy: requester }, signingKey)]);
    request.auditNote = { target: id, summary: `revert ${row.action} on ${row.provider}.${row.instance} ${row.target_type} ${row.target_id} with ${inverse} (command ${revert.command_id})${revert.requires_approval ? ', awaiting approval' : ''}` };
    request.log.info({ commandId: revert.command_id, reverts: id, action: inverse, requestedBy: by }, 'governance revert requested');
    return reply.status(202).send({ command_id: revert.command_id, status: 'pending', reverts: id });
  });
}

function requireBus(deps: GovernanceRouteDeps): { bus: KafkaBus; signingKey: SigningKey } {
  if (!deps.bus) throw new AppwardenError('AW_NOT_READY', 'this API process has no Kafka connection, so it cannot publish governance commands');
  if (!deps.signingKey) throw new AppwardenError('AW_NOT_READY', 'this API process has no governance signing key, so it cannot publish governance commands');
  return { bus: deps.bus, signingKey: deps.signingKey };
}
