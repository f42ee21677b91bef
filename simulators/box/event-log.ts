import { AnchoredHistory } from '../common/anchored-history.js';
import type { Clock } from '../common/clock.js';
import { cloneJson, readJsonLines } from '../common/json.js';
import { createPrng, type Prng } from '../common/prng.js';
import { itemJson, miniUser } from './render.js';
import { boxTime, type SimItem, type Tenant } from './tenant.js';

type Json = Record<string, any>;

/** Box's stream positions are large integers; ours start at 2^60, above 2^53, to catch a client that reads them as numbers. */
export const POSITION_BASE = 2n ** 60n;

interface StoredEvent {
  seq: number;
  createdMs: number;
  visibleAtMs: number;
  body: unknown;
}

const SAMPLES = readJsonLines(new URL('./testdata/enterprise_events.jsonl', import.meta.url)) as Json[];
const sample = (type: string) => SAMPLES.find((s) => s.event_type === type)!;

type Kind = 'LOGIN' | 'FAILED_LOGIN' | 'USER_AUTHENTICATE_OAUTH2_ACCESS_TOKEN_CREATE' | 'COLLABORATION_INVITE' | 'ITEM_DOWNLOAD' | 'ITEM_UPLOAD' | 'ITEM_TRASH' | 'SHIELD_ALERT' | 'GROUP_ADD_USER';
const WEIGHTS: ReadonlyArray<readonly [Kind, number]> = [
  ['LOGIN', 30], ['FAILED_LOGIN', 5], ['USER_AUTHENTICATE_OAUTH2_ACCESS_TOKEN_CREATE', 8], ['COLLABORATION_INVITE', 8],
  ['ITEM_DOWNLOAD', 20], ['ITEM_UPLOAD', 14], ['ITEM_TRASH', 4], ['SHIELD_ALERT', 2], ['GROUP_ADD_USER', 3],
];

function ip(prng: Prng): string {
  return `${prng.pick([81, 89, 176, 203])}.${prng.int(0, 255)}.${prng.int(0, 255)}.${prng.int(1, 254)}`;
}

export interface EventLogSettings {
  seed: string;
  eventsPerDay: number;
  days: number;
  live: boolean;
  repeatFraction: number;
}

/**
 * The enterprise event log: generated history (the samples' shapes with the tenant's people and
 * content, anchored so a restart serves the same events), the events governance calls leave, and
 * those tests add. `admin_logs` reads it by creation time; `admin_logs_streaming` in the order events
 * became visible, at least once and not in time order.
 */
export class EventLog {
  readonly #events: StoredEvent[] = [];
  readonly #history: AnchoredHistory<{ createdMs: number; body: Json }>;
  #loadedUntil: number;

  constructor(private readonly tenant: Tenant, private readonly clock: Clock, private readonly settings: EventLogSettings) {
    this.#history = new AnchoredHistory(`${settings.seed}:history`, settings.eventsPerDay, (prng, atMs) => ({ createdMs: atMs, body: this.#generate(prng, atMs) }));
    const now = clock.now();
    const from = this.#history.anchor(now - settings.days * 86_400_000);
    for (const e of settings.days > 0 ? this.#history.between(from, now) : []) this.#insert(e.body, e.createdMs, e.createdMs);
    this.#loadedUntil = now;
  }

  /** Live activity: the history's records up to now, as time passes. */
  #extend(): void {
    if (!this.settings.live) return;
    const now = this.clock.now();
    for (const e of this.#history.between(this.#loadedUntil, now)) this.#insert(e.body, e.createdMs, e.createdMs);
    this.#loadedUntil = now;
  }

  #insert(body: unknown, createdMs: number, visibleAtMs: number): void {
    this.#events.push({ seq: this.#events.length + 1, createdMs, visibleAtMs, body });
  }

  /** Adds an event (a JSON object, or any value for dead-letter tests) created at `createdMs`, readable from `visibleAtMs` (default now). */
  add(body: unknown, createdMs: number, visibleAtMs: number = this.clock.now()): void {
    this.#insert(cloneJson(body), createdMs, Math.max(visibleAtMs, this.clock.now()));
  }

  /** Records what an admin (the service account) just did. */
  record(eventType: string, source: Json | null, extra: Json = {}): Json {
    const now = this.clock.now();
    const prng = createPrng(`${this.settings.seed}:record:${this.#events.length}`);
    const body = {
      type: 'event', event_id: prng.uuid(), event_type: eventType, created_at: boxTime(now), recorded_at: boxTime(now),
      created_by: miniUser(this.tenant.serviceAccount), action_by: null, source, ip_address: '10.0.0.1', session_id: null, additional_details: null, ...extra,
    };
    this.#insert(body, now, now);
    return body;
  }

  /** Every visible record (what a complete read returns now), oldest first. */
  visible(): unknown[] {
    this.#extend();
    const now = this.clock.now();
    return this.#events.filter((e) => e.visibleAtMs <= now).sort((a, b) => a.createdMs - b.createdMs || a.seq - b.seq).map((e) => cloneJson(e.body));
  }

  /** `admin_logs`: events created in [after, before], visible now, chronological; the position is an offset into that list. */
  adminLogs(query: { afterMs: number; beforeMs: number; position: bigint | null; limit: number; types: ReadonlySet<string> | null }): { entries: unknown[]; next: bigint } {
    this.#extend();
    const now = this.clock.now();
    const list = this.#events
      .filter((e) => e.visibleAtMs <= now && e.createdMs >= query.afterMs && e.createdMs <= query.beforeMs && this.#typeMatches(e, query.types))
      .sort((a, b) => a.createdMs - b.createdMs || a.seq - b.seq);
    const offset = query.position === null || query.position < POSITION_BASE ? 0 : Number(query.position - POSITION_BASE);
    const page = list.slice(offset, offset + query.limit);
    return { entries: page.map((e) => cloneJson(e.body)), next: POSITION_BASE + BigInt(offset + page.length) };
  }

  /** The position of "now" in the streaming order: after every event visible so far. */
  nowPosition(): bigint {
    this.#extend();
    const now = this.clock.now();
    let last = 0;
    for (const e of this.#events) if (e.visibleAtMs <= now) last = Math.max(last, e.seq);
    return POSITION_BASE + BigInt(last);
  }

  /**
   * `admin_logs_streaming`: events after `position` in the order Box processed them, up to the first
   * not yet visible. Each page comes shuffled, and some repeat an event (Box delivers at least once).
   */
  streaming(position: bigint, limit: number, types: ReadonlySet<string> | null): { entries: unknown[]; next: bigint } {
    this.#extend();
    const now = this.clock.now();
    const after = position < POSITION_BASE ? 0 : Number(position - POSITION_BASE);
    const page: StoredEvent[] = [];
    let next = after;
    for (const e of this.#events.slice(after)) {
      if (e.visibleAtMs > now || page.length >= limit) break;
      next = e.seq;
      if (this.#typeMatches(e, types)) page.push(e);
    }
    const prng = createPrng(`${this.settings.seed}:stream:${after}`);
    const entries = page.map((e) => cloneJson(e.body));
    for (let i = entries.length - 1; i > 0; i--) {
      const j = prng.int(0, i + 1);
      [entries[i], entries[j]] = [entries[j], entries[i]];
    }
    if (entries.length > 0 && prng.chance(this.settings.repeatFraction)) entries.push(cloneJson(prng.pick(entries)));
    return { entries, next: POSITION_BASE + BigInt(next) };
  }

  #typeMatches(e: StoredEvent, types: ReadonlySet<string> | null): boolean {
    return types === null || types.has(String((e.body as Json | null)?.event_type));
  }

  #generate(prng: Prng, atMs: number): Json {
    const kind = prng.weighted(WEIGHTS);
    const { tenant } = this;
    const actor = prng.pick(tenant.users);
    const items = [...tenant.items.values()];
    const body: Json = cloneJson(sample(kind === 'LOGIN' || kind === 'FAILED_LOGIN' ? 'USER_AUTHENTICATE_OAUTH2_ACCESS_TOKEN_CREATE' : kind === 'GROUP_ADD_USER' ? 'COLLABORATION_INVITE' : kind));
    body.event_id = prng.uuid();
    body.event_type = kind;
    body.created_at = boxTime(atMs);
    if ('recorded_at' in body) body.recorded_at = boxTime(atMs + 1000);
    body.created_by = miniUser(actor);
    body.ip_address = ip(prng);
    if (body.session_id !== undefined && body.session_id !== null) body.session_id = prng.chars(16, 'abcdefghijklmnopqrstuvwxyz0123456789');
    switch (kind) {
      case 'LOGIN': case 'FAILED_LOGIN': case 'USER_AUTHENTICATE_OAUTH2_ACCESS_TOKEN_CREATE':
        body.source = miniUser(actor);
        break;
      case 'ITEM_DOWNLOAD': case 'ITEM_UPLOAD': case 'ITEM_TRASH': {
        const item = items.length > 0 ? prng.pick(items) : null;
        body.source = item ? this.#itemSource(item, body.source as Json, prng) : null;
        break;
      }
      case 'COLLABORATION_INVITE': {
        const folder = items.find((i) => i.type === 'folder' && prng.chance(0.3)) ?? items.find((i) => i.type === 'folder');
        const invited = prng.chance(0.5) ? prng.pick(tenant.externals) : prng.pick(tenant.users);
        const owner = folder ? tenant.anyUser(folder.owner) : undefined;
        body.source = folder ? { folder_id: folder.id, folder_name: folder.name, owned_by: owner ? miniUser(owner) : null, parent: null, user_id: invited.id, user_name: invited.name } : null;
        body.accessible_by = miniUser(invited);
        body.additional_details = { ...body.additional_details, collab_id: String(prng.int(10 ** 11, 10 ** 12)), role: prng.pick(['Editor', 'Viewer']) };
        break;
      }
      case 'GROUP_ADD_USER': {
        const group = tenant.groups.length > 0 ? prng.pick(tenant.groups) : null;
        body.source = group ? { type: 'group', id: group.id, name: group.name } : null;
        body.accessible_by = miniUser(prng.pick(tenant.users));
        body.created_by = miniUser(tenant.users[0]!);
        delete body.additional_details;
        break;
      }
      case 'SHIELD_ALERT': {
        const alert = body.additional_details.shield_alert;
        alert.alert_id = prng.int(1000, 999_999);
        alert.risk_score = prng.int(40, 100);
        alert.user = { id: Number(actor.id), name: actor.name, email: actor.login };
        alert.created_at = boxTime(atMs - 40_000);
        break;
      }
    }
    return body;
  }

  #itemSource(item: SimItem, template: Json | null, prng: Prng): Json {
    const rendered = itemJson(this.tenant, item);
    delete rendered.metadata;
    return { ...(template ?? {}), ...rendered, file_version: item.type === 'file' ? { type: 'file_version', id: String(prng.int(10 ** 11, 10 ** 12)), sha1: item.sha1 } : undefined };
  }
}

