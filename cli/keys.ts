import { userInfo } from 'node:os';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { KeyStore } from '../api/auth/key-store.js';
import { isRole, ROLES } from '../api/auth/roles.js';
import { recordAuditTrail } from '../core/audit-trail.js';
import type { KafkaBus } from '../core/kafka.js';
import type { Logger } from '../core/logger.js';

export interface KeysIo {
  stdout: Writable;
  stderr: Writable;
}

/** Opens the deployment's Kafka (topics ensured); the command closes it with `close`. */
export type KafkaConnector = () => Promise<{ bus: KafkaBus; close(): Promise<void> }>;

const USAGE = `usage: appwarden keys create --name NAME --role ${ROLES.join('|')} [--raw]
       appwarden keys list
       appwarden keys revoke KEY_ID`;

/**
 * `appwarden keys create|list|revoke`: manages API keys through the key store itself (the Kafka
 * topic every API process follows), so it works whether the API runs or not. Every change is recorded
 * in the audit trail as the operating-system user who ran it.
 */
export async function runKeysCommand(args: string[], io: KeysIo, connect: KafkaConnector, log: Logger): Promise<number> {
  let parsed: { values: { name?: string; role?: string; raw?: boolean; help?: boolean }; positionals: string[] };
  try {
    parsed = parseArgs({
      args, allowPositionals: true, strict: true,
      options: { name: { type: 'string' }, role: { type: 'string' }, raw: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const [command, ...rest] = parsed.positionals;
  const { name, role, raw } = parsed.values;
  if (parsed.values.help) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const usage = (message: string) => {
    io.stderr.write(`${message}\n${USAGE}\n`);
    return 2;
  };
  if (command === 'create' && (!name || !isRole(role) || rest.length > 0)) return usage(`keys create needs --name and --role (${ROLES.join(', ')})`);
  if (command === 'revoke' && rest.length !== 1) return usage('keys revoke needs one key id (see keys list)');
  if (command === 'list' && rest.length > 0) return usage('keys list takes no argument');
  if (!['create', 'list', 'revoke'].includes(command ?? '')) return usage(`unknown keys command ${JSON.stringify(command ?? '')}`);

  const { bus, close } = await connect();
  const store = new KeyStore({ bus, log });
  const actor = `cli:${userInfo().username}`;
  const audit = (action: string, target: string, summary: string) => recordAuditTrail(bus, {
    actor_id: actor, actor_name: userInfo().username, actor_role: 'admin', ip: null, action: `cli keys ${action}`, target, summary, status: 0,
  });
  try {
    await store.start();
    if (command === 'create' && name && isRole(role)) {
      const { key, info } = await store.create({ name, role, raw: raw ?? false, createdBy: actor });
      await audit('create', info.id, `created key ${info.id} "${name}" with role ${role}${raw ? ' and raw access' : ''}`);
      io.stdout.write(`key ${info.id} (${role}${raw ? ', raw' : ''}) for ${name}; shown this once, store it now:\n${key}\n`);
      return 0;
    }
    if (command === 'revoke') {
      const revoked = await store.revoke(rest[0]!, actor);
      await audit('revoke', revoked.id, `revoked key ${revoked.id} "${revoked.name}"`);
      io.stdout.write(`revoked key ${revoked.id} (${revoked.name})\n`);
      return 0;
    }
    const rows = store.list().map((k) => [k.id, k.role + (k.raw ? '+raw' : ''), k.created_at, k.revoked_at ? `revoked ${k.revoked_at}` : 'active', k.name]);
    const header = ['ID', 'ROLE', 'CREATED', 'STATE', 'NAME'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    for (const row of [header, ...rows]) io.stdout.write(`${row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}\n`);
    return 0;
  } finally {
    await store.stop();
    await close();
  }
}
