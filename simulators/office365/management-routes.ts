import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requestBaseUrl } from '../common/http-server.js';
import { isoString, parseTimestamp, queryValue } from '../common/json.js';
import { management } from './api-errors.js';
import { CONTENT_TYPES, type ContentType } from './audit-records.js';
import { decodeToken, encodeToken } from './ids.js';
import { allows } from './permissions.js';
import type { RouteContext } from './route-context.js';

type Query = Record<string, unknown>;
type Params = Record<string, string>;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// The API accepts a start up to 7 days back; a little slack for clock skew, as the live service shows.
const MAX_AGE_MS = 7 * DAY + HOUR;

function contentTypeOf(query: Query): ContentType {
  const value = queryValue(query.contentType);
  if (value === undefined || !(CONTENT_TYPES as readonly string[]).includes(value)) throw management.invalidContentType();
  return value as ContentType;
}

/** The Office 365 Management Activity API: subscriptions, content listing (NextPageUri) and content blobs. */
export function registerManagementRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const prefix = '/api/v1.0/:tenant/activity/feed';
  const requireFeed = (request: FastifyRequest, contentType?: ContentType) => {
    const { roles } = ctx.claims(request);
    if (!allows(roles, 'activityFeed')) throw management.missingPermission(roles, 'ActivityFeed.Read');
    if (contentType === 'DLP.All' && !allows(roles, 'activityFeedDlp')) throw management.missingPermission(roles, 'ActivityFeed.ReadDlp');
  };

  app.post(`${prefix}/subscriptions/start`, async (request) => {
    const contentType = contentTypeOf(request.query as Query);
    requireFeed(request, contentType);
    if (ctx.subscriptions.has(contentType)) throw management.alreadyEnabled();
    ctx.subscriptions.add(contentType);
    return { contentType, status: 'enabled', webhook: null };
  });

  app.post(`${prefix}/subscriptions/stop`, async (request, reply) => {
    const contentType = contentTypeOf(request.query as Query);
    requireFeed(request);
    if (!ctx.subscriptions.delete(contentType)) throw management.noSubscription();
    return reply.status(204).send();
  });

  app.get(`${prefix}/subscriptions/list`, async (request) => {
    requireFeed(request);
    return [...ctx.subscriptions].map((contentType) => ({ contentType, status: 'enabled', webhook: null }));
  });

  app.get(`${prefix}/subscriptions/content`, async (request, reply) => {
    const query = request.query as Query;
    const contentType = contentTypeOf(query);
    requireFeed(request, contentType);
    if (!ctx.subscriptions.has(contentType)) throw management.noSubscription();
    const now = ctx.clock.now();
    const startText = queryValue(query.startTime);
    const endText = queryValue(query.endTime);
    if ((startText === undefined) !== (endText === undefined)) throw management.badTimeRange();
    const start = startText === undefined ? now - DAY : parseTimestamp(startText);
    const end = endText === undefined ? now : parseTimestamp(endText);
    if (start === undefined || end === undefined || end <= start || end - start > DAY || start < now - MAX_AGE_MS) throw management.badTimeRange();
    const nextPage = queryValue(query.nextPage);
    let offset = 0;
    if (nextPage !== undefined) {
      const state = decodeToken(nextPage);
      if (state === null || typeof state.o !== 'number') throw management.invalidNextPage(nextPage);
      offset = state.o;
    }
    const blobs = ctx.audit.list(contentType, start, end, now);
    const page = blobs.slice(offset, offset + ctx.options.contentPageSize);
    const base = `${requestBaseUrl(request)}/api/v1.0/${ctx.tenant.org.id}/activity/feed`;
    if (offset + page.length < blobs.length) {
      const params = new URLSearchParams({ contentType, startTime: startText ?? isoString(start), endTime: endText ?? isoString(end), nextPage: encodeToken({ o: offset + page.length }) });
      const publisher = queryValue(query.PublisherIdentifier);
      if (publisher !== undefined) params.set('PublisherIdentifier', publisher);
      reply.header('NextPageUri', `${base}/subscriptions/content?${params.toString()}`);
    }
    return page.map((b) => ({
      contentType: b.contentType,
      contentId: b.contentId,
      contentUri: `${base}/audit/${b.contentId}`,
      contentCreated: isoString(b.contentCreated),
      contentExpiration: isoString(b.contentExpiration),
    }));
  });

  // A wildcard: content ids (~140 characters) exceed fastify's limit for a path parameter.
  app.get(`${prefix}/audit/*`, async (request) => {
    const contentId = decodeURIComponent((request.params as Params)['*']!);
    const blob = ctx.audit.get(contentId);
    if (!blob || blob.availableAt > ctx.clock.now()) throw management.contentMissing(contentId);
    requireFeed(request, blob.contentType);
    if (blob.contentExpiration <= ctx.clock.now()) throw management.contentExpired(contentId);
    return blob.records;
  });
}
