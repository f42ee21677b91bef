import Type, { type Static } from 'typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { badRequest } from './errors.js';
import { tryCompilePolicy, type CompiledPolicy } from '../processors/policy/compile.js';
import { parsePolicyText } from '../processors/policy/loader.js';
import { formatPath, formatProblem, type PolicyProblem } from '../processors/policy/problems.js';
import { ErrorBodySchema } from './schemas.js';

/**
 * A policy as requests carry it: a JSON document (an object), or YAML text (a JSON string, or a
 * body sent as `application/yaml` or `text/yaml`; `text/plain` is refused for changes, being a type a web page may send cross-site). Problems in text carry lines.
 */
export type PolicyInput = Record<string, unknown> | string;

/** The name problems of a request's text are reported under: `policy:14: threshold.group_by: ...`. */
export const INPUT_NAME = 'policy';

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];

/** Lets routes take YAML bodies as text (fastify already reads `text/plain` as a string). */
export function acceptYamlBodies(app: FastifyInstance): void {
  for (const type of YAML_TYPES) {
    if (!app.hasContentTypeParser(type)) app.addContentTypeParser(type, { parseAs: 'string' }, (_request, body, done) => done(null, body));
  }
}

export const PolicyInputSchema = Type.Union([
  Type.Object({}, { additionalProperties: true, description: 'a policy document (see policies/policy.schema.json)' }),
  Type.String({ minLength: 1, description: 'a policy as YAML text' }),
]);

export const ApiProblemSchema = Type.Object({
  path: Type.String({ description: 'the field at fault, e.g. threshold.group_by; (policy) for the whole policy' }),
  line: Type.Union([Type.Integer(), Type.Null()], { description: 'the line in the YAML text; null for a JSON document' }),
  message: Type.String(),
  policy: Type.Optional(Type.String({ description: 'in a list: the policy the problem is in (its id, or #n)' })),
});
export type ApiProblem = Static<typeof ApiProblemSchema>;

export const PolicyInvalidSchema = Type.Object({ ...ErrorBodySchema.properties, problems: Type.Array(ApiProblemSchema) });

export function toApiProblem(p: PolicyProblem): ApiProblem {
  return { path: formatPath(p.path), line: p.line ?? null, message: p.message, ...(p.policy ? { policy: p.policy } : {}) };
}

/** Answers 422 AW_POLICY_INVALID with every problem; the message lists them as `policy:line: field: what`. */
export function replyPolicyInvalid(reply: FastifyReply, problems: readonly PolicyProblem[]): FastifyReply {
  return reply.status(422).send({
    statusCode: 422,
    code: 'AW_POLICY_INVALID',
    error: 'Unprocessable Entity',
    message: `the policy is invalid: ${problems.map(formatProblem).join('; ')}`,
    problems: problems.map(toApiProblem),
  });
}

/** The body of a request that must carry a policy; 400 when there is none. */
export function policyInputOf(body: unknown, field: string): PolicyInput {
  if (typeof body === 'string' && body.trim() !== '') return body;
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) return body as Record<string, unknown>;
  throw badRequest(`${field} must be a policy: a JSON object, or YAML text`, field);
}

/** Every policy in the input, compiled, and every problem (a list is allowed: each policy is checked on its own). */
export function compileInput(input: PolicyInput | unknown[]): { policies: CompiledPolicy[]; problems: PolicyProblem[] } {
  if (typeof input === 'string') {
    const load = parsePolicyText(input, INPUT_NAME);
    return { policies: load.policies.map((p) => p.compiled), problems: load.problems };
  }
  const list = Array.isArray(input) ? input : [input];
  const out: { policies: CompiledPolicy[]; problems: PolicyProblem[] } = { policies: [], problems: [] };
  list.forEach((item, i) => {
    const { compiled, problems } = tryCompilePolicy(item);
    const label = Array.isArray(input) ? peekId(item) ?? `#${i + 1}` : undefined;
    for (const p of problems) out.problems.push({ ...p, path: Array.isArray(input) ? [i, ...p.path] : p.path, ...(label ? { policy: label } : {}) });
    if (compiled) out.policies.push(compiled);
  });
  return out;
}

/** The one policy of an input meant to hold one, or the problems (with one saying so when it holds several). */
export function compileOne(input: PolicyInput, what: string): { compiled: CompiledPolicy } | { problems: PolicyProblem[] } {
  const { policies, problems } = compileInput(input);
  if (problems.length > 0) return { problems };
  if (policies.length !== 1) return { problems: [{ path: [], line: 1, message: `${what} takes one policy; this text holds ${policies.length}` }] };
  return { compiled: policies[0]! };
}

/**
 * The id a policy input names, without validating it (null when it has none or cannot be read),
 * and the line it is on in text.
 */
export function inputId(input: PolicyInput): { id: string | null; line: number | null } {
  if (typeof input !== 'string') return { id: peekId(input), line: null };
  const lineCounter = new LineCounter();
  const doc = parseDocument(input, { lineCounter });
  if (doc.errors.length > 0 || !isMap(doc.contents)) return { id: null, line: null };
  const pair = doc.contents.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === 'id');
  const value = isScalar(pair?.value) ? pair.value.value : null;
  const key = pair?.key as { range?: [number, number, number] } | undefined;
  return { id: typeof value === 'string' ? value : null, line: key?.range ? lineCounter.linePos(key.range[0]).line : null };
}

function peekId(value: unknown): string | null {
  return value !== null && typeof value === 'object' && typeof (value as { id?: unknown }).id === 'string' ? (value as { id: string }).id : null;
}
