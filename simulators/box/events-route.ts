import type { FastifyInstance } from 'fastify';
import { parseTimestamp } from '../common/json.js';
import { boxErrors } from './box-errors.js';
import { limitOf, q, type RouteContext } from './route-context.js';

function position(text: string | undefined): bigint | null {
  if (text === undefined || text === '' || text === '0') return null;
  if (!/^\d+$/.test(text)) throw boxErrors.invalidParameter('stream_position', text);
  return BigInt(text);
}

function time(request: Parameters<typeof q>[0], name: string, fallback: number): number {
  const text = q(request, name);
  if (text === undefined) return fallback;
  const ms = parseTimestamp(text);
  if (ms === undefined) throw boxErrors.badRequest(`Invalid value '${text}' for query parameter '${name}'.`, 'invalid_parameter');
  return ms;
}

/**
 * `GET /2.0/events` for the enterprise stream types. The body is written by hand so that
 * `next_stream_position` is a bare JSON number, as Box writes it, however large.
 */
export function registerEventsRoute(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/2.0/events', async (request, reply) => {
    const streamType = q(request, 'stream_type') ?? 'all';
    const limit = limitOf(request, 100, 500);
    const typeList = q(request, 'event_type');
    const types = typeList ? new Set(typeList.split(',').map((t) => t.trim())) : null;
    const at = q(request, 'stream_position');
    let result: { entries: unknown[]; next: bigint };
    if (streamType !== 'admin_logs' && streamType !== 'admin_logs_streaming') {
      // User events (all, changes, sync) of the service account: none in this simulator.
      result = { entries: [], next: ctx.events.nowPosition() };
    } else if (at === 'now') {
      result = { entries: [], next: ctx.events.nowPosition() };
    } else if (streamType === 'admin_logs') {
      const now = ctx.clock.now();
      result = ctx.events.adminLogs({
        afterMs: time(request, 'created_after', now - 365 * 86_400_000), beforeMs: time(request, 'created_before', now), position: position(at), limit, types,
      });
    } else {
      result = ctx.events.streaming(position(at) ?? 0n, limit, types);
    }
    const text = `{"chunk_size":${result.entries.length},"next_stream_position":${result.next.toString()},"entries":${JSON.stringify(result.entries)}}`;
    return reply.type('application/json').send(text);
  });
}
