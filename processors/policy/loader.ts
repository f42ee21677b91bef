import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { tryCompilePolicy, type CompiledPolicy, type CompileOptions } from './compile.js';
import type { PathSegment, PolicyProblem } from './problems.js';

/** A policy read from a file, with where it is. */
export interface LoadedPolicy {
  compiled: CompiledPolicy;
  file: string;
  /** The line its definition starts on. */
  line: number;
}

/** What a set of files holds: the valid policies, and every problem (with file and line) of the others. */
export interface PolicyLoad {
  policies: LoadedPolicy[];
  problems: PolicyProblem[];
}

/**
 * Reads policies from YAML (or JSON) text: one policy, or a list. Each policy is checked on its own;
 * a policy with a problem is left out and each problem says file, line and field.
 */
export function parsePolicyText(text: string, file: string, options: CompileOptions = {}): PolicyLoad {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, merge: true, uniqueKeys: true, prettyErrors: false });
  const lineAt = (offset: number) => lineCounter.linePos(offset).line;
  if (doc.errors.length > 0) {
    return {
      policies: [],
      problems: doc.errors.map((e) => ({ path: [], file, line: lineAt(e.pos[0]), message: `not valid YAML: ${e.message.split('\n')[0]}` })),
    };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    // Well-formed text the YAML library still cannot turn into values: an alias to no anchor, a merge of a scalar.
    return { policies: [], problems: [{ path: [], file, line: 1, message: `not valid YAML: ${(err as Error).message.split('\n')[0]}` }] };
  }
  if (value === null || value === undefined) return { policies: [], problems: [{ path: [], file, line: 1, message: 'the file holds no policy' }] };

  const list = Array.isArray(value) ? value : [value];
  const prefix = (i: number): PathSegment[] => (Array.isArray(value) ? [i] : []);
  const out: PolicyLoad = { policies: [], problems: [] };
  list.forEach((item, i) => {
    const id = item !== null && typeof item === 'object' && typeof (item as { id?: unknown }).id === 'string' ? (item as { id: string }).id : null;
    const label = id ?? (Array.isArray(value) ? `#${i + 1}` : undefined);
    const { compiled, problems } = tryCompilePolicy(item, options);
    for (const p of problems) {
      out.problems.push({ ...p, file, line: lineOf(doc, lineCounter, [...prefix(i), ...p.path]), ...(label ? { policy: label } : {}) });
    }
    if (compiled) out.policies.push({ compiled, file, line: lineOf(doc, lineCounter, prefix(i)) });
  });
  // Problems in the order of the file; sort is stable, so one line's problems keep their order.
  out.problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return out;
}

/**
 * Reads policy files; a folder stands for every `.yaml`, `.yml` and `.json` file in it (not
 * recursive, sorted). Ids must be unique across all of them: a repeated id is a problem at its line.
 */
export async function loadPolicyFiles(paths: readonly string[], options: CompileOptions = {}): Promise<PolicyLoad> {
  const out: PolicyLoad = { policies: [], problems: [] };
  for (const file of await expandPaths(paths, out.problems)) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      out.problems.push({ path: [], file, message: `cannot read the file: ${(err as Error).message}` });
      continue;
    }
    const load = parsePolicyText(text, file, options);
    out.problems.push(...load.problems);
    out.policies.push(...load.policies);
  }
  return withUniqueIds(out);
}

/** Leaves out policies whose id an earlier one already has, with a problem at their line. */
export function withUniqueIds(load: PolicyLoad): PolicyLoad {
  const first = new Map<string, LoadedPolicy>();
  const policies: LoadedPolicy[] = [];
  const problems = [...load.problems];
  for (const p of load.policies) {
    const earlier = first.get(p.compiled.id);
    if (earlier) {
      problems.push({ path: ['id'], file: p.file, line: p.line, policy: p.compiled.id, message: `another policy has this id (${earlier.file}:${earlier.line}); ids must be unique` });
    } else {
      first.set(p.compiled.id, p);
      policies.push(p);
    }
  }
  return { policies, problems };
}

const POLICY_FILE = /\.(ya?ml|json)$/i;

async function expandPaths(paths: readonly string[], problems: PolicyProblem[]): Promise<string[]> {
  const files: string[] = [];
  for (const p of paths) {
    let info;
    try {
      info = await stat(p);
    } catch {
      problems.push({ path: [], file: p, message: 'no such file or folder' });
      continue;
    }
    if (info.isDirectory()) {
      const names = (await readdir(p)).filter((n) => POLICY_FILE.test(n) && !n.endsWith('.schema.json')).sort();
      files.push(...names.map((n) => path.join(p, n)));
    } else files.push(p);
  }
  return files;
}

/** The line of the deepest node of `path` that exists: the key's line for a map entry. */
function lineOf(doc: Document, lineCounter: LineCounter, path: PathSegment[]): number {
  let node = doc.contents as Node | null;
  let line = node?.range ? lineCounter.linePos(node.range[0]).line : 1;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === seg);
      if (!pair) break;
      const key = pair.key as Node | null;
      if (key?.range) line = lineCounter.linePos(key.range[0]).line;
      node = pair.value as Node | null;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item) break;
      if (item.range) line = lineCounter.linePos(item.range[0]).line;
      node = item;
    } else break;
  }
  return line;
}
