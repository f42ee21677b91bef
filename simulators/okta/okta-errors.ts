import { queryContinuation, type ContinuationContract } from '../common/faults.js';
/** The JSON body of every Okta API error. */
export interface OktaErrorBody {
  errorCode: string;
  errorSummary: string;
  errorLink: string;
  errorId: string;
  errorCauses: { errorSummary: string }[];
}

/** An error the simulator answers the way Okta does: an HTTP status and an `E00000xx` body. */
export class OktaApiError extends Error {
  override name = 'OktaApiError';

  constructor(
    readonly status: number,
    readonly errorCode: string,
    readonly errorSummary: string,
    readonly causes: string[] = [],
  ) {
    super(errorSummary);
  }

  body(errorId: string): OktaErrorBody {
    return {
      errorCode: this.errorCode,
      errorSummary: this.errorSummary,
      errorLink: this.errorCode,
      errorId,
      errorCauses: this.causes.map((errorSummary) => ({ errorSummary })),
    };
  }
}

// Codes and summaries as Okta's error-code reference and real responses show them; E0000031's and the
// lifecycle-refusal wording were not re-checked against a live org.
export const oktaErrors = {
  invalidToken: () => new OktaApiError(401, 'E0000011', 'Invalid token provided'),
  notFound: (id: string, type: string) => new OktaApiError(404, 'E0000007', `Not found: Resource not found: ${id} (${type})`),
  validation: (subject: string, causes: string[] = []) => new OktaApiError(400, 'E0000001', `Api validation failed: ${subject}`, causes),
  invalidSearch: (cause: string) => new OktaApiError(400, 'E0000031', 'Invalid search criteria.', [cause]),
  malformedBody: () => new OktaApiError(400, 'E0000003', 'The request body was not well-formed.'),
  forbidden: () => new OktaApiError(403, 'E0000006', 'You do not have permission to perform the requested action'),
  rateLimited: () => new OktaApiError(429, 'E0000047', 'API call exceeded rate limit due to too many requests.'),
  internal: () => new OktaApiError(500, 'E0000009', 'Internal Server Error'),
};

/**
 * Okta's continuation is the `after` cursor of a `Link: rel="next"` URL. Okta documents no error for
 * one it no longer honours: a 400 E0000001 validation error naming the parameter, as Okta answers a
 * bad query parameter.
 */
export const oktaContinuation: ContinuationContract = queryContinuation((_request, param) => {
  const refused = oktaErrors.validation(param.name, [`${param.name}: the cursor is not valid`]);
  return { status: refused.status, body: refused.body(`oae${Date.now().toString(36)}`) };
});
