/** A step of a path into a policy document: a map key or a list index. */
export type PathSegment = string | number;

/** One thing wrong with a policy, located by its path in the document (and, from a file, its line). */
export interface PolicyProblem {
  /** Path from the policy's root, e.g. `['threshold', 'group_by']` or `['detection', 'failed', 'outcome|equalz']`. */
  path: PathSegment[];
  /** A sentence a person understands, e.g. `required — a threshold counts per group; name the fields to group by`. */
  message: string;
  /** The file the policy came from, when it came from one. */
  file?: string;
  /** 1-based line in that file. */
  line?: number;
  /** The policy's id, or `#<n>` (1-based) for the n-th policy of a list without a usable id. */
  policy?: string;
}

/** Collects problems under a path prefix. */
export type ProblemSink = (path: PathSegment[], message: string) => void;

/** `threshold.group_by`, `actions[0].action`, `detection.failed.actor.type|contains`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const s of path) out += typeof s === 'number' ? `[${s}]` : out === '' ? s : `.${s}`;
  return out || '(policy)';
}

/** `policies/x.yaml:14: threshold.group_by: required — ...` (file and line when known). */
export function formatProblem(p: PolicyProblem): string {
  const where = p.file ? `${p.file}${p.line ? `:${p.line}` : ''}: ` : '';
  const policy = p.policy && !p.path.length ? `${p.policy}: ` : '';
  return `${where}${policy}${formatPath(p.path)}: ${p.message}`;
}
