import type { FastifyError, FastifyInstance } from 'fastify';
import { isQueryLimitError } from '../core/clickhouse.js';
import { AppwardenError, ERROR_CATALOGUE, isAppwardenError, type ErrorCode } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

/** The body of every error answer: `{ statusCode, code, error, message }`. */
export interface ErrorBody {
  statusCode: number;
  code: string;
  error: string;
  message: string;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 413: 'Content Too Large',
  415: 'Unsupported Media Type', 422: 'Unprocessable Entity', 429: 'Too Many Requests', 500: 'Internal Server Error',
  502: 'Bad Gateway', 503: 'Service Unavailable',
};

/** Fastify's own client errors that have a code of ours; the others are AW_BAD_REQUEST. */
const FASTIFY_STATUS_CODES: Record<number, ErrorCode> = { 413: 'AW_BODY_TOO_LARGE', 415: 'AW_UNSUPPORTED_MEDIA_TYPE' };

/** 5xx codes whose messages are sentences of the API's own (not an engine's or a library's text). */
const OWN_MESSAGES = new Set<ErrorCode>(['AW_NOT_READY']);

export function badRequest(message: string, field: string): AppwardenError {
  return new AppwardenError('AW_BAD_REQUEST', message, { details: { field } });
}

/**
 * The client gets our code and a sentence; what an engine or a library said (ClickHouse's message,
 * Kafka's, a stack) goes to the log only.
 */
export function installErrorHandler(app: FastifyInstance, log: Logger): void {
  app.setErrorHandler((err: FastifyError | AppwardenError, request, reply) => {
    let statusCode: number;
    let code: ErrorCode;
    let message: string;
    if (isQueryLimitError(err)) {
      code = 'AW_QUERY_LIMIT';
      statusCode = ERROR_CATALOGUE[code].status;
      message = ERROR_CATALOGUE[code].message;
      log.warn({ err, url: request.url }, 'query stopped by its limits');
    } else if (isAppwardenError(err)) {
      statusCode = err.status;
      code = err.code;
      message = statusCode >= 500 && !OWN_MESSAGES.has(code) ? `${ERROR_CATALOGUE[code].message}; see the server log` : err.message;
    } else if ((err as FastifyError).validation) {
      // Fastify's schema validation: name the parameter at fault, e.g. "querystring.limit must be <= 1000".
      statusCode = 400;
      code = 'AW_BAD_REQUEST';
      message = describeValidation(err as FastifyError);
    } else if (typeof (err as FastifyError).statusCode === 'number' && (err as FastifyError).statusCode! < 500) {
      statusCode = (err as FastifyError).statusCode!;
      code = FASTIFY_STATUS_CODES[statusCode] ?? 'AW_BAD_REQUEST';
      message = err.message;
    } else {
      statusCode = 500;
      code = 'AW_INTERNAL';
      message = 'an unexpected error; see the server log';
    }
    if (statusCode >= 500) log.error({ err, url: request.url }, 'request failed');
    const retryAfter = isAppwardenError(err) ? err.details.retryAfterSeconds : undefined;
    if (typeof retryAfter === 'number') void reply.header('retry-after', String(retryAfter));
    const body: ErrorBody = { statusCode, code, error: STATUS_TEXT[statusCode] ?? 'Error', message };
    void reply.status(statusCode).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const body: ErrorBody = { statusCode: 404, code: 'AW_NOT_FOUND', error: 'Not Found', message: `no route ${request.method} ${request.url.split('?')[0]}` };
    void reply.status(404).send(body);
  });
}

function describeValidation(err: FastifyError): string {
  const context = (err as FastifyError & { validationContext?: string }).validationContext ?? 'request';
  return (err.validation ?? []).map((v) => {
    const params = v.params as { missingProperty?: string; additionalProperty?: string; allowedValues?: unknown[] };
    const path = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
    const property = params.missingProperty ?? params.additionalProperty;
    // A nested property is named by its full path (body.target.id), not by its last part.
    const name = property === undefined ? path : [path, property].filter(Boolean).join('.');
    const where = name ? `${context}.${name}` : context;
    if (params.additionalProperty) return `${where} is not a known parameter`;
    if (params.allowedValues) return `${where} must be one of ${params.allowedValues.join(', ')}`;
    return `${where} ${v.message ?? 'is invalid'}`;
  }).join('; ');
}
