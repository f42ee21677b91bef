import { randomBytes } from 'node:crypto';
import { generationDay } from '../common/anchored-history.js';
import type { Clock } from '../common/clock.js';
import { createHttpApp, startHttpServer } from '../common/http-server.js';
import { createPrng } from '../common/prng.js';
import { createRateLimiter } from '../common/rate-limiter.js';
import { dropboxContinuation } from './errors.js';
import { registerFileRoutes } from './file-routes.js';
import type { FileStore } from './file-store.js';
import { resolveDropboxOptions, type DropboxSimulatorOptions, type ResolvedDropboxOptions } from './options.js';
import type { Guard, IssuedToken, Json } from './rpc.js';
import { generateTeam, type SimEntry, type SimMember, type TeamState } from './state.js';
import { memberLog, teamEvent, TeamLog } from './team-log.js';
import { registerTeamRoutes } from './team-routes.js';

export interface DropboxSimulator {
  /** Base URL of the API and of the token endpoint (`apiUrl` of the connector). */
  url: string;
  appKey: string;
  appSecret: string;
  refreshToken: string;
  state: TeamState;
  teamLog: TeamLog;
  files: FileStore;
  requests: Guard['requests'] & { tokens: number; tokenRefusals: number };
  options: Readonly<ResolvedDropboxOptions>;
  clock: Clock;
  /** The admin who authorized the app (`team/token/get_authenticated_admin`). */
  admin: SimMember;
  close(): Promise<void>;
  /** The team log events whose time is in [fromMs, toMs) (default: all of the history up to now). */
  eventsBetween(fromMs?: number, toMs?: number): unknown[];
  /** Adds an event to the team log at `atMs` (default now), readable from now on. */
  addEvent(event: unknown, atMs?: number): void;
  /** A well-formed sign-in of `member` at `atMs`. */
  loginEvent(member: SimMember, atMs: number): Json;
  /** The next `count` requests answer 429 (`too_many_requests`, or on write routes `too_many_write_operations`) with Retry-After. */
  throttleNext(count: number, options?: { retryAfterSeconds?: number; writes?: boolean }): void;
  /** From now on routes that need `scope` answer 401 `missing_scope`, until `allow`. */
  deny(scope: string): void;
  allow(scope: string): void;
  /** Every access token issued so far expires now: the next calls answer 401 `expired_access_token`. */
  expireTokens(): void;
  /** Deletes a member for good (gone from every listing, their files with them). */
  purgeMember(teamMemberId: string): void;
  /** A file uploaded into a space (a team_member_id or `ns:<id>`): the change feed and the team log show it. */
  addFile(space: string, path: string): SimEntry;
}

/**
 * Starts a local stand-in for a Dropbox Business team: the OAuth token endpoint (refresh token grant),
 * the team endpoints (members, groups, linked apps, devices, team folders), the team log, and the user
 * endpoints for files and sharing with `Dropbox-API-Select-User`/`Select-Admin`, with Dropbox's errors,
 * cursors and throttling answers. It applies governance calls to its own state and logs them.
 */
export async function startDropboxSimulator(input: DropboxSimulatorOptions = {}): Promise<DropboxSimulator> {
  const options = resolveDropboxOptions(input);
  const { clock } = options;
  const seed = String(options.seed);
  const log = options.log.child({ component: 'simulator', provider: 'dropbox' });
  const state = generateTeam(createPrng(`${seed}:team`), { ...options, nowMs: generationDay(clock.now()) });
  const teamLog = new TeamLog(state, seed, options.eventsPerDay, options.days, clock);
  const guard: Guard = {
    state, clock, tokens: new Map<string, IssuedToken>(), denied: new Set(), limiter: createRateLimiter({ ...options.rateLimit, clock }),
    forced: { requests: 0, writes: 0, retryAfterSeconds: 1 }, requests: { total: 0, throttled: 0, byRoute: {} },
  };
  const counters = Object.assign(guard.requests, { tokens: 0, tokenRefusals: 0 });

  const app = createHttpApp(log, { continuation: dropboxContinuation });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8'))));
  });
  // https://www.dropbox.com/developers/documentation/http/documentation#oauth2-token
  app.post('/oauth2/token', async (request, reply) => {
    counters.tokens++;
    const form = (request.body ?? {}) as Record<string, string>;
    const basic = /^Basic (.+)$/i.exec(request.headers.authorization ?? '');
    const [clientId, clientSecret] = basic ? Buffer.from(basic[1]!, 'base64').toString('utf8').split(':') : [form.client_id, form.client_secret];
    const refuse = (error: string, description: string) => {
      counters.tokenRefusals++;
      return reply.status(400).send({ error, error_description: description });
    };
    if (form.grant_type !== 'refresh_token') return refuse('unsupported_grant_type', 'grant_type must be authorization_code or refresh_token');
    if (clientId !== options.appKey || clientSecret !== options.appSecret) return refuse('invalid_client', 'Invalid client_id or client_secret');
    if (form.refresh_token !== options.refreshToken) return refuse('invalid_grant', 'refresh token is invalid or revoked');
    const token = `sl.${randomBytes(24).toString('base64url')}`;
    guard.tokens.set(token, { token, expiresAtMs: clock.now() + options.tokenLifetimeSeconds * 1000, scopes: new Set(options.scopes) });
    return { access_token: token, token_type: 'bearer', expires_in: options.tokenLifetimeSeconds, scope: options.scopes.join(' ') };
  });
  registerTeamRoutes(app, guard, teamLog, { emptyFirstPage: options.emptyFirstPage });
  const files = registerFileRoutes(app, guard, teamLog);
  app.setNotFoundHandler((request, reply) => reply.status(404).type('text/plain').send(`Unknown API function: "${request.url.replace(/^\/2\//, '')}"`));

  const server = await startHttpServer(app, { host: options.host, port: options.port });
  log.info({ url: server.url, members: state.members.length, files: state.entries.size }, 'dropbox simulator started');
  const admin = state.members[0]!;

  return {
    url: server.url, appKey: options.appKey, appSecret: options.appSecret, refreshToken: options.refreshToken,
    state, teamLog, files, requests: counters, options, clock, admin,
    close: async () => {
      await server.close();
      log.info('dropbox simulator stopped');
    },
    eventsBetween: (fromMs = 0, toMs = clock.now() + 1) => teamLog.between(fromMs, toMs),
    addEvent: (event, atMs) => teamLog.add(event, atMs),
    loginEvent: (member, atMs) => teamEvent('login_success', 'logins', 'Signed in', atMs, {
      actor: { '.tag': 'user', user: memberLog(member) }, context: memberLog(member),
      origin: { geo_location: { city: 'Austin', region: 'Texas', country: 'US', ip_address: '198.51.100.23' }, access_method: { '.tag': 'end_user', end_user: { '.tag': 'web', session_id: `dbwsid:${atMs}` } } },
      details: { '.tag': 'login_success_details', is_emm_managed: false, login_method: { '.tag': 'password' } },
    }),
    throttleNext: (count, o = {}) => {
      guard.forced.retryAfterSeconds = o.retryAfterSeconds ?? 1;
      if (o.writes) guard.forced.writes = count;
      else guard.forced.requests = count;
    },
    deny: (scope) => { guard.denied.add(scope); },
    allow: (scope) => { guard.denied.delete(scope); },
    expireTokens: () => { for (const t of guard.tokens.values()) t.expiresAtMs = clock.now(); },
    purgeMember: (id) => {
      state.members = state.members.filter((m) => m.team_member_id !== id);
      for (const g of state.groups) g.members = g.members.filter((m) => m.id !== id);
      for (const [entryId, e] of state.entries) if (e.space === id) state.entries.delete(entryId);
      state.links = state.links.filter((l) => l.space !== id);
    },
    addFile: (space, path) => {
      const entry = files.addFile(space, path);
      const member = state.members.find((m) => m.team_member_id === space) ?? admin;
      teamLog.add(teamEvent('file_add', 'file_operations', 'Added files and/or folders', clock.now(), {
        actor: { '.tag': 'user', user: memberLog(member) }, context: memberLog(member), assets: [files.asset(entry)], details: { '.tag': 'file_add_details' },
        origin: { access_method: { '.tag': 'end_user', end_user: { '.tag': 'desktop', session_id: 'dbdsid:1' } } },
      }));
      return entry;
    },
  };
}
