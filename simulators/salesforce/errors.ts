import type { ContinuationContract } from '../common/faults.js';

/** Salesforce's REST error answers: a JSON array of `{ message, errorCode }` (and OAuth's `{ error, error_description }`). */
export class SalesforceApiError extends Error {
  constructor(readonly status: number, readonly errorCode: string, message: string, readonly fields?: string[]) {
    super(message);
  }

  body(): unknown {
    return [{ message: this.message, errorCode: this.errorCode, ...(this.fields ? { fields: this.fields } : {}) }];
  }
}

export const sfErrors = {
  invalidSession: () => new SalesforceApiError(401, 'INVALID_SESSION_ID', 'Session expired or invalid'),
  limitExceeded: () => new SalesforceApiError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'),
  insufficientAccess: (what: string, permission: string) =>
    new SalesforceApiError(403, 'INSUFFICIENT_ACCESS', `Insufficient privileges: ${what} requires the ${permission} permission`),
  notFound: () => new SalesforceApiError(404, 'NOT_FOUND', 'The requested resource does not exist'),
  malformed: (message: string) => new SalesforceApiError(400, 'MALFORMED_QUERY', message),
  invalidType: (object: string) => new SalesforceApiError(400, 'INVALID_TYPE', `sObject type '${object}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name.`),
  invalidField: (field: string, object: string) => new SalesforceApiError(400, 'INVALID_FIELD', `No such column '${field}' on entity '${object}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name.`),
  invalidLocator: () => new SalesforceApiError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator'),
  badBody: (message: string) => new SalesforceApiError(400, 'JSON_PARSER_ERROR', message),
};

/** An OAuth token endpoint refusal. */
export class OAuthError extends Error {
  constructor(readonly status: number, readonly error: string, readonly description: string) {
    super(description);
  }
}

/**
 * Salesforce's continuation is the query locator in `nextRecordsUrl`'s path
 * (`/services/data/vXX.X/query/<locator>`); an expired or released one is refused with 400
 * `INVALID_QUERY_LOCATOR` (REST API "Query More Results"; Salesforce help article 000384958).
 */
export const salesforceContinuation: ContinuationContract = {
  carries: (request) => request.method === 'GET' && /^\/services\/data\/v\d+\.\d+\/query(All)?\/[^/]+$/.test(request.url.split('?')[0]!),
  refusal: () => {
    const refused = sfErrors.invalidLocator();
    return { status: refused.status, body: refused.body() };
  },
};
