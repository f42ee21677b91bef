import { queryContinuation, type ContinuationContract } from '../common/faults.js';
/** ServiceNow's error body: `{"error":{"message","detail"},"status":"failure"}`. */
export interface ServiceNowErrorBody {
  error: { message: string; detail: string | null };
  status: 'failure';
}

export function errorBody(message: string, detail: string | null): ServiceNowErrorBody {
  return { error: { message, detail }, status: 'failure' };
}

export const NOT_AUTHENTICATED = errorBody('User Not Authenticated', 'Required to provide Auth information');
export const READ_DENIED = errorBody('Insufficient rights to query records', 'Field(s) present in the query do not have permission to be read');
export const writeDenied = (operation: 'Update' | 'Delete' | 'Insert') => errorBody('Operation Failed', `ACL Exception ${operation} Failed due to security constraints`);
export const NO_RECORD = errorBody('No Record found', "Record doesn't exist or ACL restricts the record retrieval");
export const invalidTable = (table: string) => errorBody(`Invalid table ${table}`, null);
export const rateLimited = (limit: number) => errorBody('Rate limit exceeded', `Rate limit of ${limit} requests per hour for Table API exceeded`);
export const QUOTA_CANCELLED = errorBody('Transaction cancelled: maximum execution time exceeded', 'The REST Table API request timeout quota rule cancelled the transaction');

/**
 * ServiceNow's continuation is `sysparm_offset` (in the `Link: rel="next"` URL). An offset does not
 * expire and ServiceNow documents no such refusal: a 400 in its error shape stands in for one.
 */
export const serviceNowContinuation: ContinuationContract = queryContinuation((_request, param) => ({
  status: 400, body: errorBody('Invalid query parameter', `${param.name}: the page is no longer available`),
}));
