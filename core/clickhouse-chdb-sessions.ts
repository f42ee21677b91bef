import { Session, drainPending } from 'chdb';
import { AppwardenError } from './errors.js';
import { ensurePrivateDirSync } from './private-files.js';
import type { Logger } from './logger.js';
import { OUTPUT_SETTINGS, clickHouseFailure, engineErrorCode, engineErrorType, type EngineErrorFacts } from './clickhouse.js';

/**
 * One chdb connection per (data folder, database), shared by every handle opened on that pair and
 * closed with the last of them. Each connection runs `USE database` once, so unqualified table names
 * resolve per database, as they do on a server. chdb lets several connections share one data folder
 * (they share one engine) but refuses a second folder while one is open.
 */
interface SharedConnection {
  readonly dir: string;
  readonly database: string;
  refs: number;
  readonly ready: Promise<Session>;
}

const connections = new Map<string, SharedConnection>();
/** The last teardown; a new connection waits for it so that a folder switch never races a close. */
let closing: Promise<void> = Promise.resolve();

/** The shared session of (dir, database), opened on first use; `release` closes it after its last user. */
export async function openSharedSession(dir: string, database: string, log: Logger): Promise<{ session: Session; release: () => Promise<void> }> {
  const key = `${dir}\u0000${database}`;
  let shared = connections.get(key);
  if (!shared) {
    const other = [...connections.values()].find((c) => c.dir !== dir);
    if (other) {
      throw new AppwardenError('AW_CLICKHOUSE_FAILED', `embedded ClickHouse serves one data folder per process: ${other.dir} is open, ${dir} was asked for`, {
        retriable: false,
        details: { operation: 'open', backend: 'embedded' },
      });
    }
    shared = { dir, database, refs: 0, ready: connect(dir, database, log) };
    connections.set(key, shared);
  }
  shared.refs += 1;
  let session: Session;
  try {
    session = await shared.ready;
  } catch (err) {
    await release(key, shared, log);
    throw err;
  }
  return { session, release: () => release(key, shared, log) };
}

/** A new connection on the folder, answering in our output settings. */
export function newChdbSession(dir: string): Session {
  return new Session(dir, { connectionArgs: Object.entries(OUTPUT_SETTINGS).map(([name, value]) => `--${name}=${value}`) });
}

async function connect(dir: string, database: string, log: Logger): Promise<Session> {
  let session: Session | undefined;
  try {
    ensurePrivateDirSync(dir);
    // A connection to another folder that closed while busy is torn down in the background;
    // the engine refuses a new folder until it is gone.
    await closing;
    await drainPending();
    session = newChdbSession(dir);
    await session.queryAsync(`CREATE DATABASE IF NOT EXISTS \`${database}\``);
    await session.queryAsync(`USE \`${database}\``);
  } catch (err) {
    session?.close();
    throw clickHouseFailure('open', 'embedded', err, chdbErrorFacts(err));
  }
  log.info({ dataDir: dir, database }, 'embedded ClickHouse opened');
  return session;
}

async function release(key: string, shared: SharedConnection, log: Logger): Promise<void> {
  shared.refs -= 1;
  if (shared.refs > 0) return;
  if (connections.get(key) === shared) connections.delete(key);
  const previous = closing;
  closing = (async () => {
    await previous;
    const session = await shared.ready.catch(() => undefined);
    if (!session) return;
    session.close();
    await drainPending();
    log.info({ dataDir: shared.dir, database: shared.database }, 'embedded ClickHouse closed');
  })();
  await closing;
}

/** chdb errors carry `clickhouseCode`; the type name is only in the message (`… (UNKNOWN_TABLE)`). */
export function chdbErrorFacts(err: unknown): EngineErrorFacts {
  const e = err as { message?: unknown; clickhouseCode?: unknown; code?: unknown } | null;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  const code = typeof e?.clickhouseCode === 'number' ? e.clickhouseCode : engineErrorCode(message);
  const facts: EngineErrorFacts = { retriable: e?.code === 'CHDB_TIMEOUT', message };
  if (code !== undefined) {
    facts.code = code;
    const type = engineErrorType(message);
    if (type !== undefined) facts.type = type;
  }
  return facts;
}
