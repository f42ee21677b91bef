import { createReadStream } from 'node:fs';
import { appendFile, mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ensurePrivateDir } from '../../core/private-files.js';

/** One entity a scan saw: its record id, the part of the stream it was read from, and what a deletion event needs of it. */
export interface SeenEntity {
  id: string;
  scope: string;
  identity: unknown;
}

/** A scope meaning "the whole stream": skipping it keeps everything the last complete scan saw. */
export const WHOLE_STREAM = '*';

/** Files per set; a diff holds one bucket's ids in memory, so 1M entities cost ~16k at a time. */
const BUCKETS = 64;
const PRIVATE = 0o600;
/** Lines buffered per bucket while a journal is split. */
const FLUSH_LINES = 500;

type JournalLine = { e: SeenEntity } | { skip: string };

/**
 * The entities a stream's scans saw, on disk, so that a scan of a million files can be compared
 * with the previous one without holding either in memory. A running scan appends to a journal
 * (`<dir>/<scanId>/journal.jsonl`, kept across a resume); when it completes, the journal is split
 * into buckets by record id and compared, bucket by bucket, with the last complete scan's buckets.
 * `current` names the last complete scan's set and is replaced in one rename.
 */
export class ScanSets {
  constructor(private readonly dir: string) {}

  private scanDir(scanId: string): string {
    return path.join(this.dir, scanId);
  }

  private journal(scanId: string): string {
    return path.join(this.scanDir(scanId), 'journal.jsonl');
  }

  private bucket(scanId: string, b: number): string {
    return path.join(this.scanDir(scanId), `bucket-${String(b).padStart(2, '0')}.jsonl`);
  }

  /** The scan whose set is the last complete one, or null (none yet, or the data folder is new). */
  async completeScan(): Promise<string | null> {
    try {
      const { scanId } = JSON.parse(await readFile(path.join(this.dir, 'current.json'), 'utf8')) as { scanId?: unknown };
      return typeof scanId === 'string' ? scanId : null;
    } catch {
      return null;
    }
  }

  /** Starts an empty journal for a new scan. */
  async begin(scanId: string): Promise<void> {
    await rm(this.scanDir(scanId), { recursive: true, force: true });
    // Names, emails and file names: for this process's user only.
    await ensurePrivateDir(this.dir);
    await mkdir(this.scanDir(scanId), { mode: 0o700 });
    await writeFile(this.journal(scanId), '', { mode: PRIVATE });
  }

  /** Whether this process holds the journal of a scan (a resume needs it: it says what the pages before the checkpoint saw). */
  async hasJournal(scanId: string): Promise<boolean> {
    return stat(this.journal(scanId)).then(() => true, () => false);
  }

  /** Appends what a page saw, and flushes it to disk before the caller saves a checkpoint past it. */
  async append(scanId: string, seen: readonly SeenEntity[], skipped: readonly string[]): Promise<void> {
    const lines = [...seen.map((e) => JSON.stringify({ e })), ...skipped.map((s) => JSON.stringify({ skip: s }))];
    if (lines.length === 0) return;
    const handle = await open(this.journal(scanId), 'a');
    try {
      await handle.appendFile(`${lines.join('\n')}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  /**
   * Splits the scan's journal into buckets and compares them with the last complete scan's:
   * yields, a bucket at a time, the identities that scan saw and this one did not. An entity of a
   * skipped scope is not yielded but kept in the new set, so a later complete scan still compares
   * against it. With no previous set, yields nothing.
   */
  async *compare(scanId: string, previous: string | null): AsyncIterable<unknown[]> {
    const skipped = await this.split(scanId);
    const keepAll = skipped.has(WHOLE_STREAM);
    for (let b = 0; b < BUCKETS; b++) {
      const seen = new Map<string, string>();
      for await (const line of lines(this.bucket(scanId, b))) seen.set((JSON.parse(line) as SeenEntity).id, line);
      const gone: unknown[] = [];
      if (previous !== null) {
        for await (const line of lines(this.bucket(previous, b))) {
          const entity = JSON.parse(line) as SeenEntity;
          if (seen.has(entity.id)) continue;
          if (keepAll || skipped.has(entity.scope)) seen.set(entity.id, line);
          else gone.push(entity.identity);
        }
      }
      await writeFile(this.bucket(scanId, b), seen.size > 0 ? `${[...seen.values()].join('\n')}\n` : '', { mode: PRIVATE });
      if (gone.length > 0) yield gone;
    }
  }

  /** Makes the scan's set the last complete one, and removes every other set of the stream. */
  async commit(scanId: string): Promise<void> {
    await rm(this.journal(scanId), { force: true });
    const pointer = path.join(this.dir, 'current.json');
    await writeFile(`${pointer}.tmp`, JSON.stringify({ scanId }), { mode: PRIVATE });
    await rename(`${pointer}.tmp`, pointer);
    for (const entry of await readdir(this.dir, { withFileTypes: true })) {
      if (entry.isDirectory() && entry.name !== scanId) await rm(path.join(this.dir, entry.name), { recursive: true, force: true });
    }
  }

  /** The entities of the last complete scan among `ids`, read bucket by bucket. */
  async find(ids: readonly string[]): Promise<Map<string, SeenEntity>> {
    try {
      return await this.findOnce(ids);
    } catch (err) {
      // A scan completing meanwhile removed the set being read: read the new one.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      return this.findOnce(ids);
    }
  }

  private async findOnce(ids: readonly string[]): Promise<Map<string, SeenEntity>> {
    const found = new Map<string, SeenEntity>();
    const current = await this.completeScan();
    if (current === null || ids.length === 0) return found;
    const wanted = new Map<number, Set<string>>();
    for (const id of ids) {
      const b = bucketOf(id);
      if (!wanted.has(b)) wanted.set(b, new Set());
      wanted.get(b)!.add(id);
    }
    for (const [b, set] of wanted) {
      for await (const line of lines(this.bucket(current, b))) {
        const entity = JSON.parse(line) as SeenEntity;
        if (set.has(entity.id)) found.set(entity.id, entity);
      }
    }
    return found;
  }

  /** Writes the journal into buckets (deduplicated later, by `compare`); returns the skipped scopes. */
  private async split(scanId: string): Promise<Set<string>> {
    const skipped = new Set<string>();
    const pending: string[][] = Array.from({ length: BUCKETS }, () => []);
    const flush = async (b: number) => {
      if (pending[b]!.length === 0) return;
      await appendFile(this.bucket(scanId, b), `${pending[b]!.join('\n')}\n`, { mode: PRIVATE });
      pending[b] = [];
    };
    for (let b = 0; b < BUCKETS; b++) await writeFile(this.bucket(scanId, b), '', { mode: PRIVATE });
    for await (const text of lines(this.journal(scanId))) {
      const line = JSON.parse(text) as JournalLine;
      if ('skip' in line) {
        skipped.add(line.skip);
        continue;
      }
      const b = bucketOf(line.e.id);
      pending[b]!.push(JSON.stringify(line.e));
      if (pending[b]!.length >= FLUSH_LINES) await flush(b);
    }
    for (let b = 0; b < BUCKETS; b++) await flush(b);
    return skipped;
  }
}

/** Record ids are hex digests: their first digits spread evenly. */
function bucketOf(id: string): number {
  const n = Number.parseInt(id.slice(0, 4), 16);
  return Number.isNaN(n) ? 0 : n % BUCKETS;
}

/** The non-empty lines of a file; none when it does not exist. */
async function* lines(file: string): AsyncIterable<string> {
  const exists = await stat(file).then(() => true, () => false);
  if (!exists) return;
  const reader = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of reader) if (line.length > 0) yield line;
}
