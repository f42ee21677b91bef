/**
 * The analyst benchmark's data: N synthetic activities made inside the engine (`INSERT … SELECT` over
 * `numbers()`, one statement per million rows), into the `activities` table as the sink creates it.
 *
 * Each row is a re-stamped copy of a real normalized event: the golden outputs of every provider's
 * normalizer (`ingestors/<p>/testdata/golden/*.expected.json`, real provider records in `raw`), picked
 * with weights that make logons and file events the bulk, as in a real tenant. The copy gets its own
 * id, time, instance, person (a skewed pick among `users`: a few people do most), source address
 * (mostly one of the person's usual ones, in the person's country), session, and file (a skewed pick
 * among `files`); the raw record is rewritten to match (email, address, time, first target id), so
 * free text finds what the columns say.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClickHouse } from '../core/clickhouse.js';
import { auditEventToRow, TABLES } from '../processors/sink/tables.js';
import type { AuditEvent } from '../schemas/types.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TEMPLATES = 'bench_templates';
const ROWS_PER_STATEMENT = 1_000_000;

export interface DataShape {
  rows: number;
  /** Days of history, ending at `end`. */
  days: number;
  users: number;
  files: number;
  /** The newest event's time (ms). */
  end: number;
}

/** The share of events of each category; split evenly among the templates of that category. */
const CATEGORY_WEIGHTS: Record<string, number> = { logon: 38, file: 40, app: 7, user: 6, admin: 5, security: 2, other: 2 };
/** Of logons, the share that fail. */
const LOGON_FAILURE_PERCENT = 6;

/** Instances per provider: organisations often run two of one app (a second tenant, a sandbox). */
const INSTANCES: Record<string, string[]> = {
  okta: ['corp'], google_workspace: ['example-com'], office365: ['contoso', 'contoso-eu'], box: ['corp', 'legal'],
  dropbox: ['team'], servicenow: ['prod', 'dev'], aws: ['prod', 'staging', 'sandbox'], salesforce: ['prod'],
};

/** Countries (name, code, a city, the first octet of its address space, weight in users). */
const COUNTRIES: Array<[string, string, string, number, number]> = [
  ['United States', 'US', 'New York', 23, 34], ['United Kingdom', 'GB', 'London', 81, 10], ['Germany', 'DE', 'Berlin', 91, 9],
  ['France', 'FR', 'Paris', 90, 7], ['India', 'IN', 'Bengaluru', 103, 8], ['Spain', 'ES', 'Madrid', 83, 5],
  ['Canada', 'CA', 'Toronto', 24, 5], ['Brazil', 'BR', 'São Paulo', 177, 4], ['Japan', 'JP', 'Tokyo', 126, 4],
  ['Australia', 'AU', 'Sydney', 101, 3], ['Netherlands', 'NL', 'Amsterdam', 77, 3], ['Israel', 'IL', 'Tel Aviv', 79, 2],
  ['Poland', 'PL', 'Warsaw', 89, 2], ['Singapore', 'SG', 'Singapore', 119, 2], ['Mexico', 'MX', 'Mexico City', 187, 1],
  ['Nigeria', 'NG', 'Lagos', 105, 1],
];
const FIRST = ['Alice', 'Bob', 'Carla', 'David', 'Emma', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kavya', 'Liam', 'Maria', 'Noah', 'Olga', 'Priya', 'Quentin', 'Rosa', 'Sven', 'Tariq', 'Uma', 'Victor', 'Wen', 'Yusuf', 'Zoe'];
const LAST = ['Nguyen', 'Martin', 'Garcia', 'Smith', 'Müller', 'Rossi', 'Kowalski', 'Tanaka', 'Okafor', 'Silva', 'Dubois', 'Cohen', 'Patel', 'Johansson', 'Kim', 'Haddad', 'Novak', 'Moreau', 'Brown', 'Lopez'];
const DOCS = ['Q3 forecast', 'Payroll', 'Board deck', 'Customer list', 'Roadmap', 'Contract', 'Budget', 'Offer letter', 'Pricing', 'Design review', 'Incident report', 'Onboarding'];
const EXTENSIONS = ['.xlsx', '.docx', '.pdf', '.pptx', '.csv', '.png'];
const USER_AGENTS = [
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0',
  'Box Sync/4.0.8145; Windows/10', 'DropboxDesktopClient/201.4.5575 (Macintosh; 14.5)', 'aws-cli/2.17.0 Python/3.11.8 Darwin/23.5.0',
];

/** The golden normalized events of every provider (the normalizers' checked outputs), as AuditEvents. */
export function goldenActivities(): AuditEvent[] {
  const events: AuditEvent[] = [];
  for (const provider of readdirSync(path.join(ROOT, 'ingestors'), { withFileTypes: true })) {
    const dir = path.join(ROOT, 'ingestors', provider.name, 'testdata', 'golden');
    if (!provider.isDirectory() || !safeIsDir(dir)) continue;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.expected.json')).sort()) {
      const parsed = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as unknown;
      for (const e of Array.isArray(parsed) ? parsed : [parsed]) {
        // Account and file records, and error answers, sit beside the audit events; only these have an event_id.
        if (typeof e !== 'object' || e === null || !('event_id' in e) || !('raw' in e)) continue;
        const json = e as Record<string, unknown>;
        const occurred = toMs(json.occurred_at);
        events.push({ ...json, occurred_at: occurred, ingested_at: toMs(json.ingested_at) ?? occurred } as unknown as AuditEvent);
      }
    }
  }
  return events;
}

/** A golden time (ISO text, or epoch millis), else null. */
function toMs(value: unknown): number | null {
  const ms = typeof value === 'number' ? value : Date.parse(String(value));
  return Number.isFinite(ms) ? ms : null;
}

function safeIsDir(dir: string): boolean {
  try {
    return readdirSync(dir).length > 0;
  } catch {
    return false;
  }
}

/** A SQL literal of a constant of this file (never user input); strings quoted and escaped. */
function lit(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(value)) return `[${value.map(lit).join(', ')}]`;
  throw new Error(`no literal for ${String(value)}`);
}

/** 1000 template indexes (1-based), each as often as its weight says: the pick of a row is `pick[1 + hash % 1000]`. */
function weightedPick(templates: AuditEvent[]): number[] {
  const perCategory = new Map<string, number>();
  for (const t of templates) perCategory.set(t.category, (perCategory.get(t.category) ?? 0) + 1);
  const weights = templates.map((t) => (CATEGORY_WEIGHTS[t.category] ?? 1) / perCategory.get(t.category)!);
  const total = weights.reduce((a, b) => a + b, 0);
  const pick: number[] = [];
  let acc = 0;
  weights.forEach((w, i) => {
    acc += w;
    while (pick.length < Math.round((acc / total) * 1000)) pick.push(i + 1);
  });
  return pick;
}

/** Same skew for every pick: a few keys get most rows (about 80/20). */
const skewed = (hash: string, count: string) => `toUInt32(pow((${hash} % 1000000) / 1000000.0, 3) * ${count})`;

/** The SELECT making rows `[start, start + count)` of `shape`, in the column order of `columns`. */
function generatorSql(shape: DataShape, columns: string[], pick: number[], start: number, count: number): string {
  const weights = COUNTRIES.flatMap(([, , , , w], i) => new Array<number>(w).fill(i + 1));
  const spanMs = shape.days * 86_400_000;
  const startMs = shape.end - spanMs;
  // The person's country is fixed (weighted); one in ten events comes from anywhere else.
  const country = `if(roaming = 0, 1 + cityHash64(n, 7) % ${COUNTRIES.length}, ${lit(weights)}[1 + cityHash64(u, 8) % ${weights.length}])`;
  // Each row: g.n its number, g.u its person, g.f its file, g.other a second person (the target of a user event).
  const generator = `SELECT number AS n,
      ${lit(pick)}[1 + cityHash64(number, 1) % ${pick.length}] AS tpl,
      ${skewed('cityHash64(number, 2)', String(shape.users))} AS u,
      ${skewed('cityHash64(number, 3)', String(shape.files))} AS f,
      cityHash64(number, 4) % ${shape.users} AS other,
      cityHash64(number, 5) % 10 AS roaming,
      fromUnixTimestamp64Milli(toInt64(${startMs} + intDiv(toUInt64(number) * ${spanMs}, ${shape.rows}) + cityHash64(number, 6) % 1000), 'UTC') AS at,
      ${country} AS c
    FROM numbers(${start}, ${count})`;
  const person = (u: string) => ({
    first: `${lit(FIRST)}[1 + ${u} % ${FIRST.length}]`,
    last: `${lit(LAST)}[1 + intDiv(${u}, ${FIRST.length}) % ${LAST.length}]`,
  });
  const me = person('g.u');
  const them = person('g.other');
  const email = (p: { first: string; last: string }, u: string) => `lower(concat(${p.first}, '.', replaceAll(${p.last}, 'ü', 'u'), toString(${u}), '@example.com'))`;
  const isPerson = "(t.actor_type NOT IN ('service', 'system') OR t.actor_email IS NOT NULL)";
  const octet = `${lit(COUNTRIES.map((c) => c[3]))}[g.c]`;
  // Three usual addresses per person (a /16 of the country each), any address when roaming.
  const host = 'if(g.roaming = 0, cityHash64(g.n, 9), cityHash64(g.u, cityHash64(g.n, 10) % 3))';
  const ip = `IPv4NumToString(toUInt32(${octet} * 16777216 + (${host} % 8) * 65536 + intDiv(${host}, 8) % 65536))`;
  const fileId = "concat('f', lower(hex(cityHash64(g.f, t.provider))))";
  const fileName = `concat(${lit(DOCS)}[1 + g.f % ${DOCS.length}], ' ', toString(g.f), ${lit(EXTENSIONS)}[1 + intDiv(g.f, ${DOCS.length}) % ${EXTENSIONS.length}])`;
  const actorId = `if(${isPerson}, lower(hex(cityHash64(g.u, t.provider))), t.actor_id)`;
  const targetIs = (kinds: string) => `ty IN (${kinds})`;
  const mapTargets = (column: string, file: string, user: string) =>
    `arrayMap((ty, v) -> multiIf(${targetIs("'file', 'folder'")}, ${file}, ${targetIs("'user'")}, ${user}, v), t.target_types, t.${column})`;
  const instances = `map(${Object.entries(INSTANCES).map(([p, i]) => `${lit(p)}, ${lit(i)}`).join(', ')})[toString(t.provider)]`;
  const values: Record<string, string> = {
    event_id: "lower(hex(MD5(concat('bench', toString(g.n)))))",
    instance: `if(length(${instances}) = 0, t.instance, arrayElement(${instances}, 1 + g.u % length(${instances})))`,
    occurred_at: 'g.at',
    ingested_at: 'g.at + toIntervalMillisecond(2000 + cityHash64(g.n, 11) % 60000)',
    outcome: `if(t.category = 'logon' AND cityHash64(g.n, 12) % 100 < ${LOGON_FAILURE_PERCENT}, 'failure', t.outcome)`,
    outcome_reason: `if(t.category = 'logon' AND cityHash64(g.n, 12) % 100 < ${LOGON_FAILURE_PERCENT}, 'INVALID_CREDENTIALS', t.outcome_reason)`,
    actor_id: actorId,
    actor_email: `if(${isPerson}, ${email(me, 'g.u')}, t.actor_email)`,
    actor_name: `if(${isPerson}, concat(${me.first}, ' ', ${me.last}), t.actor_name)`,
    actor_type: `if(${isPerson}, 'user', t.actor_type)`,
    user_key: `if(${isPerson}, ${email(me, 'g.u')}, t.user_key)`,
    target_ids: mapTargets('target_ids', fileId, 'lower(hex(cityHash64(g.other, t.provider)))'),
    target_names: mapTargets('target_names', fileName, `concat(${them.first}, ' ', ${them.last})`),
    target_emails: mapTargets('target_emails', 'v', email(them, 'g.other')),
    src_ip: `if(t.src_ip IS NULL, NULL, ${ip})`,
    user_agent: `if(t.user_agent IS NULL, NULL, ${lit(USER_AGENTS)}[1 + (g.u + g.roaming) % ${USER_AGENTS.length}])`,
    country: `if(t.country IS NULL, NULL, if(length(t.country) = 2, ${lit(COUNTRIES.map((x) => x[1]))}[g.c], ${lit(COUNTRIES.map((x) => x[0]))}[g.c]))`,
    city: `if(t.city IS NULL, NULL, ${lit(COUNTRIES.map((x) => x[2]))}[g.c])`,
    session_id: `if(t.session_id IS NULL, NULL, lower(hex(cityHash64(g.u, intDiv(toUnixTimestamp(g.at), 28800)))))`,
    request_id: 'if(t.request_id IS NULL, NULL, hex(cityHash64(g.n, 13)))',
  };
  // The raw record says what the columns say: its email, address, time and first target are the row's.
  // (An old value that is absent becomes char(1), which no record holds, so the text is left as it is.)
  const swap = (raw: string, old: string, now: string) => `replaceAll(${raw}, if(ifNull(${old}, '') = '', char(1), assumeNotNull(${old})), ifNull(${now}, ''))`;
  let raw = 't.raw';
  raw = swap(raw, 't.actor_email', 'actor_email');
  raw = swap(raw, "if(length(ifNull(t.actor_id, '')) >= 6, t.actor_id, NULL)", 'actor_id');
  raw = swap(raw, 't.src_ip', 'src_ip');
  raw = swap(raw, "if(length(t.target_ids) > 0 AND length(ifNull(t.target_ids[1], '')) >= 4, t.target_ids[1], NULL)", 'target_ids[1]');
  raw = swap(raw, "formatDateTime(t.occurred_at, '%Y-%m-%dT%H:%i:%S')", "formatDateTime(g.at, '%Y-%m-%dT%H:%i:%S')");
  values.raw = raw;
  const select = columns.map((c) => `${values[c] ?? `t.${c}`} AS ${c}`);
  return `INSERT INTO ${TABLES.activities} (${columns.join(', ')})
    SELECT ${select.join(',\n      ')}
    FROM (${generator}) AS g
    INNER JOIN ${TEMPLATES} AS t ON t.tid = g.tpl`;
}

export interface LoadResult {
  templates: number;
  providers: number;
  ms: number;
}

/**
 * Fills `activities` (created beforehand with the sink's `ensureTables`) with `shape.rows` rows, one
 * `INSERT … SELECT` per million; `progress` hears the rows written so far.
 */
export async function loadActivities(ch: ClickHouse, shape: DataShape, progress: (rows: number, ms: number) => void = () => {}): Promise<LoadResult> {
  const golden = goldenActivities();
  await ch.exec(`DROP TABLE IF EXISTS ${TEMPLATES}`);
  // The templates' columns are those of the sink's table, whatever they become.
  await ch.exec(`CREATE TABLE ${TEMPLATES} ENGINE = Memory AS SELECT toUInt32(0) AS tid, * FROM ${TABLES.activities} LIMIT 0`);
  await ch.insert(TEMPLATES, golden.map((e, i) => ({ tid: i + 1, ...auditEventToRow(e) })));
  const columns = (await ch.query<{ name: string }>(
    "SELECT name FROM system.columns WHERE database = currentDatabase() AND table = {table:String} AND default_kind NOT IN ('MATERIALIZED', 'ALIAS') ORDER BY position",
    { table: TABLES.activities },
  )).map((c) => c.name);
  const pick = weightedPick(golden);
  const t0 = performance.now();
  for (let start = 0; start < shape.rows; start += ROWS_PER_STATEMENT) {
    const count = Math.min(ROWS_PER_STATEMENT, shape.rows - start);
    await ch.exec(generatorSql(shape, columns, pick, start, count));
    progress(start + count, performance.now() - t0);
  }
  await ch.exec(`DROP TABLE ${TEMPLATES}`);
  return { templates: golden.length, providers: new Set(golden.map((e) => e.provider)).size, ms: performance.now() - t0 };
}
