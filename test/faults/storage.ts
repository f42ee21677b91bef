/**
 * Makes embedded ClickHouse's table folders read-only and writable again: its inserts then fail as on a
 * read-only or full disk (reads still work). Root ignores permission bits, so as root the folders get
 * the immutable attribute (chattr), which binds root too.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The folder that holds the tables' parts (Atomic databases keep them under `store`). */
export function tableFolder(configFile: string): string {
  const config = JSON.parse(readFileSync(configFile, 'utf8')) as { clickhouse: { dataDir: string } };
  return path.join(config.clickhouse.dataDir, 'store');
}

export function setReadOnly(folder: string, readOnly: boolean): void {
  const asRoot = process.getuid?.() === 0;
  const args = asRoot ? ['chattr', '-R', readOnly ? '+i' : '-i', folder] : ['chmod', '-R', readOnly ? 'a-w' : 'u+w', folder];
  const out = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`${args.join(' ')} failed: ${out.stderr || out.error?.message}`);
}
