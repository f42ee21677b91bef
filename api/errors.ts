import type { FastifyError, FastifyInstance } from 'fastify';
import { AppwardenError, isAppwardenError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

/** The body of every error answer: `{ statusCode, code, error, message }`. */
export interface ErrorBody {
  statusCode: number;
  code: string;
  error: string;
  message: string;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 415: 'Unsupported Media Type', 421: 'Misdirected Request', 409: 'Conflict', 422: 'Unprocessable Entity', 500: 'Internal Server Error',
  502: 'Bad Gateway', 503: 'Service Unavailable',
};

export function badRequest(message: string, field: string): AppwardenError {
  return new AppwardenError('AW_BAD_REQUEST', message, { details: { field } });
}

export function installErrorHandler(app: FastifyInstance, log: Logger): void {
  app.setErrorHandler((err: FastifyError | AppwardenError, request, reply) => {
    let statusCode: number;
    let code: string;
    let message: string;
    if (isAppwardenError(err)) {
      statusCode = err.status;
      code = err.code;
      message = err.message;
    } else if ((err as FastifyError).validation) {
      // Fastify's schema validation: name the parameter at fault, e.g. "querystring.limit must be <= 1000".
      statusCode = 400;
      code = 'AW_BAD_REQUEST';
      message = describeValidation(err as FastifyError);
    } else if (typeof (err as FastifyError).statusCode === 'number' && (err as FastifyError).statusCode! < 500) {
      statusCode = (err as FastifyError).statusCode!;
      code = 'AW_BAD_REQUEST';
      message = err.message;
    } else {
      statusCode = 500;
      code = 'AW_INTERNAL';
      message = 'an unexpected error; see the server log';
    }
    if (statusCode >= 500) log.error({ err, url: request.url }, 'request failed');
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
