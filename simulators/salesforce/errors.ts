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
