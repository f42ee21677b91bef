import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import { principalOf } from '../auth/guard.js';
import { ROLES } from '../auth/roles.js';

const MeSchema = Type.Object({
  id: Type.String({ description: '`key:<key id>`, `oidc:<subject>` or `local:<address>`' }),
  name: Type.String(),
  role: Type.Enum(ROLES),
  raw: Type.Boolean({ description: 'may ask for include_raw' }),
});

/** `GET /v1/me`: who the credential is and its role (the console shows only what the role may do). */
export function meRoutes(app: FastifyInstance, deps: { rawAccessRoles: readonly string[] }): void {
  app.get('/v1/me', {
    config: { role: 'analyst' },
    schema: { summary: 'The caller: identity and role of the key or token', tags: ['keys'], response: { 200: MeSchema } },
  }, async (request) => {
    const principal = principalOf(request);
    return { id: principal.id, name: principal.name, role: principal.role, raw: principal.raw || deps.rawAccessRoles.includes(principal.role) };
  });
}
