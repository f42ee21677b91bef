import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { generationDay } from '../common/anchored-history.js';
import type { Clock } from '../common/clock.js';
import { createHttpApp, startHttpServer } from '../common/http-server.js';
import { registerDataRoutes } from './data-routes.js';
import { SalesforceApiError, salesforceContinuation, sfErrors } from './errors.js';
import { OrgHistory } from './history.js';
import { PREFIX, salesforceId } from './ids.js';
import { LogFiles, type LogEvent, type LogFile } from './log-files.js';
import { registerOAuthRoutes } from './oauth.js';
import { distribution, generateOrg, type Org, type Row } from './org.js';
import { createPrng } from '../common/prng.js';
import { resolveSalesforceOptions, type ResolvedSalesforceOptions, type SalesforcePermission, type SalesforceSimulatorOptions } from './options.js';
import { orgTables, type Extra, type Table } from './tables.js';

export interface SalesforceSimulator {
  /** The org's instance URL (`instance_url` of every token answer). */
  url: string;
  /** Where tokens are asked for: the same server under another origin (`localhost`), as login.salesforce.com is not the org's host. */
  loginUrl: string;
  clientId: string;
  clientSecret: string;
  /** PEM private key matching the key that verifies JWT bearer assertions (when the simulator made the pair). */
  jwtPrivateKey: string | null;
  org: Org;
  options: Readonly<ResolvedSalesforceOptions>;
  clock: Clock;
  tables: ReadonlyMap<string, Table>;
  logFiles: LogFiles;
  /** Requests counted against the daily API limit, and answers refused with REQUEST_LIMIT_EXCEEDED. */
  apiUsage: { used: number; limit: number; limitExceeded: number; forcedExceeded: number };
  /** Governance calls applied (method and sObject path). */
  applied: Array<{ method: string; path: string; at: number }>;
  /** Tokens issued, by grant. */
  issued: Record<string, number>;
  /** The rows a SOQL query on `object` would see now (every field). */
  rows(object: string): Row[];
  /** Adds a LoginHistory row that happened at `atMs`, visible from now; a broken one too (it sorts by `atMs`). */
  addLoginHistory(row: Row, atMs: number): void;
  /** Publishes now an hourly log file for an hour long past, holding `events`. */
  addLateLogFile(eventType: string, hourMs: number, events: LogEvent[]): LogFile;
  /** Publishes now a log file of about `bytes` bytes, generated as it is downloaded. */
  addLargeLogFile(bytes: number): LogFile;
  /** Refuses `permission` (403 INSUFFICIENT_ACCESS) until `allow`. */
  deny(permission: SalesforcePermission): void;
  allow(permission: SalesforcePermission): void;
  /** The next `count` API requests answer 403 REQUEST_LIMIT_EXCEEDED. */
  exceedLimitNext(count: number): void;
  /** Sets the requests already counted today. */
  setApiUsage(used: number): void;
  /** Invalidates every access token: the next API call answers 401 INVALID_SESSION_ID. */
  expireSessions(): void;
  /** Deletes a user from the org's listings. */
  removeUser(id: string): void;
  /** Creates a public link (ContentDistribution) of a document now, as a user sharing it would. */
  addPublicLink(documentId: string): Row;
  close(): Promise<void>;
}

/** Starts a local stand-in for a Salesforce org: OAuth token endpoint, REST query, sObjects, EventLogFile bodies, API limits. */
export async function startSalesforceSimulator(input: SalesforceSimulatorOptions = {}): Promise<SalesforceSimulator> {
  const options = resolveSalesforceOptions(input);
  const { clock } = options;
  const log = options.log.child({ component: 'simulator', provider: 'salesforce' });
  const seed = String(options.seed);
  const org = generateOrg(seed, { users: options.users, groups: options.groups, files: options.files, domain: options.domain, nowMs: generationDay(clock.now()) });
  const history = new OrgHistory(seed, org, { logins: options.loginsPerDay, setup: options.setupPerDay, activity: options.activityPerDay });
  // The history starts at a slot boundary, so a restart serves the same records.
  const historyStart = () => history.logins.anchor(generationDay(clock.now()) - options.days * 86_400_000);
  const logFiles = new LogFiles(seed, org, history, options, () => historyStart());
  const extra: Extra = { logins: [], removedUsers: new Set() };
  const tables = orgTables(org, history, logFiles, extra, historyStart);
  const denied = new Set<string>(options.denyPermissions);
  const apiUsage = { used: 0, limit: options.dailyApiLimit, limitExceeded: 0, forcedExceeded: 0 };
  const tokens = new Map<string, { userId: string; issuedAt: number }>();
  const applied: SalesforceSimulator['applied'] = [];
  const issued: Record<string, number> = {};

  let publicKey: KeyObject;
  let jwtPrivateKey: string | null = null;
  if (options.jwtPublicKey) publicKey = createPublicKey(options.jwtPublicKey);
  else {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    publicKey = pair.publicKey;
    jwtPrivateKey = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  }

  const app = createHttpApp(log, { continuation: salesforceContinuation });
  let instanceUrl = '';
  installGuard(app, { tokens, apiUsage, now: () => clock.now() });
  installErrorAnswers(app);
  registerOAuthRoutes(app, { clientId: options.clientId, clientSecret: options.clientSecret, publicKey, instanceUrl: () => instanceUrl, org, tokens, now: () => clock.now(), issued });
  registerDataRoutes(app, { org, tables, logFiles, denied, batchSize: options.batchSize, now: () => clock.now(), applied });
  app.get('/services/data', async () => [{ label: "Winter '25", url: '/services/data/v62.0', version: '62.0' }]);

  const server = await startHttpServer(app, { host: options.host, port: options.port });
  instanceUrl = server.url;
  log.info({ url: server.url, users: org.users.length, documents: org.documents.length }, 'salesforce simulator started');
  return {
    url: server.url,
    loginUrl: server.url.replace('127.0.0.1', 'localhost'),
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    jwtPrivateKey,
    org,
    options,
    clock,
    tables,
    logFiles,
    apiUsage,
    applied,
    issued,
    rows: (object) => tables.get(object)?.rows(clock.now()) ?? [],
    addLoginHistory: (row, atMs) => { extra.logins.push({ row, atMs, visibleAtMs: clock.now() }); },
    addLateLogFile: (eventType, hourMs, events) => logFiles.addLate(eventType, hourMs, events, clock.now()),
    addLargeLogFile: (bytes) => logFiles.addLarge(bytes, clock.now()),
    deny: (permission) => { denied.add(permission); },
    allow: (permission) => { denied.delete(permission); },
    exceedLimitNext: (count) => { apiUsage.forcedExceeded += count; },
    setApiUsage: (used) => { apiUsage.used = used; },
    expireSessions: () => tokens.clear(),
    removeUser: (id) => { extra.removedUsers.add(id); },
    addPublicLink(documentId) {
      const doc = org.documents.find((d) => d.Id === documentId);
      if (!doc) throw new Error(`no document ${documentId}`);
      const link = distribution(doc, `${seed}:dist:live:${org.distributions.length}:${clock.now()}`, clock.now(), createPrng(`${seed}:dist:${clock.now()}`), org.domain);
      org.distributions.push(link);
      return link;
    },
    close: async () => {
      await server.close();
      log.info('salesforce simulator stopped');
    },
  };
}

/** A new LoginHistory id, for rows tests add. */
export function newLoginHistoryId(key: string): string {
  return salesforceId(PREFIX.LoginHistory, key);
}

/**
 * Every versioned REST call: a valid bearer token (401 INVALID_SESSION_ID), then the daily API limit
 * (counted, reported in Sforce-Limit-Info, refused with 403 REQUEST_LIMIT_EXCEEDED once spent).
 */
function installGuard(app: FastifyInstance, guard: { tokens: Map<string, unknown>; apiUsage: SalesforceSimulator['apiUsage']; now: () => number }): void {
  app.addHook('onRequest', async (request, reply) => {
    if (!/^\/services\/data\/v\d+\.\d+\//.test(request.url)) return;
    const auth = request.headers.authorization ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    if (!guard.tokens.has(token)) throw sfErrors.invalidSession();
    const usage = guard.apiUsage;
    if (usage.forcedExceeded > 0 || usage.used >= usage.limit) {
      if (usage.forcedExceeded > 0) usage.forcedExceeded--;
      usage.limitExceeded++;
      reply.header('sforce-limit-info', `api-usage=${usage.used}/${usage.limit}`);
      throw sfErrors.limitExceeded();
    }
    usage.used++;
    reply.header('sforce-limit-info', `api-usage=${usage.used}/${usage.limit}`);
  });
}

function installErrorAnswers(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    let answer: SalesforceApiError;
    if (error instanceof SalesforceApiError) answer = error;
    else if ((error as { statusCode?: number }).statusCode === 400) answer = sfErrors.badBody((error as Error).message);
    else {
      request.log.error({ err: error, url: request.url }, 'salesforce simulator failed a request');
      answer = new SalesforceApiError(500, 'UNKNOWN_EXCEPTION', 'An unexpected error occurred. Please include this ErrorId if you contact support: 1234567890-12345 (-1234567890)');
    }
    return reply.status(answer.status).send(answer.body());
  });
  app.setNotFoundHandler((_request, reply) => reply.status(404).send(sfErrors.notFound().body()));
}
