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

/** The default of `policies.maxDocumentBytes`. */
export const MAX_DOCUMENT_BYTES = 262_144;
/** Alias expansions a document may make (the yaml package's count, weighted by what each expands to). */
const MAX_ALIAS_COUNT = 100;
/** How much bigger than the text's limit its value may be once aliases are expanded. */
const EXPANSION_FACTOR = 4;

/** The rough size of a parsed value (characters of its strings and keys, plus one per node), or null past `limit`. */
function expandedSize(value: unknown, limit: number): number | null {
  let size = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    size += typeof v === 'string' ? v.length + 1 : 1;
    if (Array.isArray(v)) for (const item of v) stack.push(item);
    else if (v !== null && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) {
        size += k.length;
        stack.push(item);
      }
    }
    if (size > limit) return null;
  }
  return size;
}

/**
 * Reads policies from YAML (or JSON) text: one policy, or a list. Each policy is checked on its own;
 * a policy with a problem is left out and each problem says file, line and field.
 */
export function parsePolicyText(text: string, file: string, options: CompileOptions = {}): PolicyLoad {
  const maxBytes = options.maxDocumentBytes ?? MAX_DOCUMENT_BYTES;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxBytes) {
    return { policies: [], problems: [{ path: [], file, line: 1, message: `the text is ${bytes} bytes; a policy document holds at most ${maxBytes} (policies.maxDocumentBytes)` }] };
  }
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
    // Aliases expand (`*a` copies what `&a` names): bound them, so a small text cannot become a huge value.
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    const message = (err as Error).message.split('\n')[0]!;
    // Too much aliasing is refused; other text the library cannot turn into values (an alias to no
    // anchor, a merge of a scalar) is not valid YAML.
    return {
      policies: [],
      problems: [{ path: [], file, line: 1, message: /alias count/i.test(message) ? `refused: ${message} (at most ${MAX_ALIAS_COUNT} alias expansions)` : `not valid YAML: ${message}` }],
    };
  }
  if (expandedSize(value, maxBytes * EXPANSION_FACTOR) === null) {
    return { policies: [], problems: [{ path: [], file, line: 1, message: `refused: its aliases expand to more than ${EXPANSION_FACTOR} times the largest document (policies.maxDocumentBytes)` }] };
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
