import Type, { type Static } from 'typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ClickHouse } from '../../core/clickhouse.js';
import { AppwardenError } from '../../core/errors.js';
import { backtestPolicy, type BacktestResult } from '../../processors/policy/backtest.js';
import type { GeoLocator } from '../../processors/policy/geo.js';
import { loadGeoIpLocator } from '../../processors/policy/geoip.js';
import type { PolicyRecord } from '../../processors/policy/record-context.js';
import type { Alert, GovernanceCommand } from '../../schemas/types.js';
import { compileOne, PolicyInputSchema, PolicyInvalidSchema, policyInputOf, replyPolicyInvalid } from '../policy-input.js';
import { ErrorBodySchema } from '../schemas.js';
import { checkTimeRange, parseTime } from '../time-range.js';
import type { CompiledPolicy } from '../../processors/policy/compile.js';

export interface BacktestRouteDeps {
  clickhouse: ClickHouse;
  /** Locates IP addresses for impossible-travel policies; default: geoip-lite, loaded on first use. */
  loadGeo?: () => Promise<GeoLocator>;
  /** The largest request body (the policy is in it). */
  bodyLimit: number;
  /** The longest range of one backtest, and how many may run at once (more are answered 429). */
  limits: { maxRangeDays: number; concurrency: number };
}

/** Seconds a client refused for concurrency is told to wait: a backtest usually takes a few. */
const BUSY_RETRY_AFTER_S = 5;

const MAX_SAMPLES = 100;
const MAX_ALERTS = 10_000;
const NullableString = Type.Union([Type.String(), Type.Null()]);

const BodySchema = Type.Object({
  policy: PolicyInputSchema,
  from: Type.String({ description: 'ISO 8601, inclusive' }),
  to: Type.String({ description: 'ISO 8601, exclusive' }),
  limit_samples: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_SAMPLES, description: 'how many matching records to return, default 10' })),
  limit_alerts: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_ALERTS, description: 'how many alerts (and commands) to return, default 1000; the totals count them all' })),
  warmup: Type.Optional(Type.Boolean({
    description: 'read from before `from` (the policy\'s window, lookback or dedup period, and the start of that day) so that state at `from` is what the live run had; default true',
  })),
}, { additionalProperties: false });

const AlertSchema = Type.Object({
  alert_id: Type.String(), policy_id: Type.String(), policy_version: Type.Integer(), title: Type.String(), severity: Type.String(),
  created_at: Type.String(), first_seen: Type.String(), last_seen: Type.String(), count: Type.Integer(), dedup_key: Type.String(),
  provider: NullableString, instance: NullableString,
  actor: Type.Union([Type.Object({ id: NullableString, email: NullableString, name: NullableString, type: Type.String() }), Type.Null()]),
  event_ids: Type.Array(Type.String()), status: Type.String(), attributes: Type.Record(Type.String(), Type.String()),
});

const CommandSchema = Type.Object({
  command_id: Type.String(), created_at: Type.String(), provider: Type.String(), instance: Type.String(), action: Type.String(),
  target: Type.Object({ type: Type.String(), id: Type.String(), name: NullableString }), params: Type.Record(Type.String(), Type.String()),
  policy_id: NullableString, alert_id: NullableString, requested_by: Type.String(), mode: Type.String(), requires_approval: Type.Boolean(),
});

const ResultSchema = Type.Object({
  policy_id: Type.String(),
  kind: Type.String(),
  from: Type.String(),
  to: Type.String(),
  read_from: Type.String({ description: 'where reading started: before `from` when warming up' }),
  records_scanned: Type.Integer({ description: 'records of the policy\'s kind in the range' }),
  records_matched: Type.Integer({ description: 'of those, the records the detection matches (before thresholds and other stateful tests)' }),
  matches_total: Type.Integer({ description: 'records that made the policy fire, as the live run counts matches' }),
  alerts_total: Type.Integer({ description: 'new alerts in the range' }),
  alerts: Type.Array(AlertSchema, { description: 'the latest state of each alert raised or updated in the range, in the order raised' }),
  per_day: Type.Array(Type.Object({ day: Type.String(), matches: Type.Integer(), alerts: Type.Integer() })),
  samples: Type.Array(Type.Unknown(), { description: 'the first matching records, normalized, times in ISO 8601, without `raw`' }),
  commands_that_would_be_requested: Type.Array(CommandSchema),
  commands_total: Type.Integer(),
  notices: Type.Array(Type.Object({ policy_id: Type.String(), policy_version: Type.Integer(), kind: Type.String(), at: Type.String(), message: Type.String() })),
});

type Body = Static<typeof BodySchema>;

/** `POST /v1/policies/backtest`: what a policy would have done over the stored history. */
export function policyBacktestRoute(app: FastifyInstance, deps: BacktestRouteDeps): void {
  let running = 0;
  let geo: Promise<GeoLocator> | null = null;
  const loadGeo = () => (geo ??= (deps.loadGeo ?? loadGeoIpLocator)().catch((err: unknown) => {
    geo = null;
    throw err;
  }));

  app.post('/v1/policies/backtest', {
    bodyLimit: deps.bodyLimit,
    schema: {
      summary: 'Run a policy over stored history',
      description: 'Runs the policy (not deployed; a JSON document or YAML text) over the activity stored in ClickHouse (file states for file policies, '
        + 'app grants for app permission policies) in time order, as the policy processor would have, and answers what would have fired. '
        + 'Nothing is published and no action is taken. Enrichments (actor_account.*, grant.user_count) come from the latest stored account state. '
        + 'The range covers at most `api.backtest.maxRangeDays`; past `api.backtest.concurrency` backtests at once, the answer is 429 with Retry-After.',
      tags: ['policies'],
      body: BodySchema,
      response: { 200: ResultSchema, 400: ErrorBodySchema, 422: PolicyInvalidSchema, 429: ErrorBodySchema },
    },
  }, async (request, reply) => {
    const body = request.body as Body;
    const from = parseTime(body.from, 'body', 'from');
    const to = parseTime(body.to, 'body', 'to');
    checkTimeRange(from, to, deps.limits.maxRangeDays, 'body', 'api.backtest.maxRangeDays');
    const one = compileOne(policyInputOf(body.policy, 'body.policy'), 'a backtest');
    if ('problems' in one) return replyPolicyInvalid(reply, one.problems);
    if (running >= deps.limits.concurrency) {
      throw new AppwardenError('AW_RATE_LIMITED', `${running} backtests are running, the most this server runs at once (api.backtest.concurrency); try again in ${BUSY_RETRY_AFTER_S} s`, {
        details: { retryAfterSeconds: BUSY_RETRY_AFTER_S },
      });
    }
    running += 1;
    try {
      return await run(request, reply, body, from, to, one.compiled);
    } finally {
      running -= 1;
    }
  });

  async function run(request: FastifyRequest, reply: FastifyReply, body: Body, from: number, to: number, compiled: CompiledPolicy): Promise<Static<typeof ResultSchema>> {
    const stop = new AbortController();
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) stop.abort(new AppwardenError('AW_BAD_REQUEST', 'the client closed the connection before the backtest finished'));
    });
    const limitAlerts = body.limit_alerts ?? 1000;
    const result = await backtestPolicy(deps.clickhouse, compiled, {
      from, to,
      samples: body.limit_samples ?? 10,
      maxAlerts: limitAlerts,
      maxCommands: limitAlerts,
      ...(body.warmup === undefined ? {} : { warmup: body.warmup }),
      geo: compiled.needs.geo ? await loadGeo() : null,
      signal: stop.signal,
    });
    request.log.info({ policyId: result.policy_id, from: body.from, to: body.to, scanned: result.records_scanned, alerts: result.alerts_total }, 'policy backtest done');
    return toJson(result);
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

function toJson(r: BacktestResult): Static<typeof ResultSchema> {
  return {
    ...r,
    from: iso(r.from),
    to: iso(r.to),
    read_from: iso(r.read_from),
    alerts: r.alerts.map((a: Alert) => ({ ...a, created_at: iso(a.created_at), first_seen: iso(a.first_seen), last_seen: iso(a.last_seen) })),
    samples: r.samples.map(sampleJson),
    commands_that_would_be_requested: r.commands_that_would_be_requested.map((c: GovernanceCommand) => ({ ...c, created_at: iso(c.created_at) })),
    notices: r.notices.map((n) => ({ ...n, at: iso(n.at) })),
  };
}

/** A record as a policy's inline test event takes it: ISO times, no raw provider record. */
function sampleJson(record: PolicyRecord): Record<string, unknown> {
  const { raw: _raw, ...rest } = record;
  if ('event_id' in rest) return { ...rest, occurred_at: iso(rest.occurred_at), ingested_at: iso(rest.ingested_at) };
  if ('file' in rest) {
    return { ...rest, observed_at: iso(rest.observed_at), file: { ...rest.file, created_at: isoOrNull(rest.file.created_at), modified_at: isoOrNull(rest.file.modified_at) } };
  }
  return { ...rest, observed_at: iso(rest.observed_at), created_at: isoOrNull(rest.created_at), last_login_at: isoOrNull(rest.last_login_at) };
}
