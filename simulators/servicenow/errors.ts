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
