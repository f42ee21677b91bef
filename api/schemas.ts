import Type from 'typebox';
import type { FastifyInstance, RouteOptions } from 'fastify';

export const ErrorBodySchema = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String(),
  error: Type.String(),
  message: Type.String(),
});

/**
 * Errors any route may answer besides its own: invalid input, no or a wrong key, a role too low,
 * a query past its limits, too many requests, a failure, a dependency down.
 */
const EVERY_ROUTE = [400, 401, 403, 422, 429, 500, 503];
/** Errors of a route that reads a body: too large, a content type it does not take. */
const WITH_BODY = [413, 415];
/** Errors of a route that names an object in its path. */
const WITH_PARAMS = [404];

/**
 * Documents the shared error answers on every route (keeping a route's own schema for a status it
 * declares), so the OpenAPI document lists every status the API can answer.
 */
export function documentErrorResponses(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    if (!route.schema || route.schema.hide) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const statuses = [
      ...EVERY_ROUTE,
      ...(methods.some((m) => ['POST', 'PUT', 'PATCH'].includes(m)) ? WITH_BODY : []),
      ...(route.url.includes(':') ? WITH_PARAMS : []),
    ];
    const own = (route.schema.response ?? {}) as Record<string, unknown>;
    route.schema.response = { ...Object.fromEntries(statuses.map((s) => [s, ErrorBodySchema])), ...own };
  });
}
