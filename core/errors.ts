/**
 * The catalogue of Appwarden error codes. Every error the product raises carries one of these
 * codes; the codes are stable and double as metric labels. `test/errors.test.ts` checks that each
 * code is documented in the README.
 */
export const ERROR_CATALOGUE = {
  AW_CONFIG_INVALID: { status: 500, retriable: false, message: 'configuration is invalid' },
  AW_BAD_REQUEST: { status: 400, retriable: false, message: 'the request is invalid' },
  AW_NOT_FOUND: { status: 404, retriable: false, message: 'not found' },
  AW_NOT_READY: { status: 503, retriable: true, message: 'the service is not ready' },
  AW_PROVIDER_THROTTLED: { status: 503, retriable: true, message: 'the provider throttled the request' },
  AW_PROVIDER_UNAVAILABLE: { status: 502, retriable: true, message: 'the provider is unavailable' },
  AW_PROVIDER_OUTCOME_UNKNOWN: { status: 502, retriable: false, message: 'the provider did not answer a change, which it may have applied; re-read the target before asking again' },
  AW_PROVIDER_AUTH_FAILED: { status: 502, retriable: false, message: 'the provider refused the credentials' },
  AW_PROVIDER_REQUEST_FAILED: { status: 502, retriable: false, message: 'the provider refused the request' },
  AW_PROVIDER_RESPONSE_INVALID: { status: 502, retriable: false, message: 'the provider answered something unexpected' },
  AW_PROVIDER_CONTINUATION_EXPIRED: { status: 502, retriable: false, message: 'the provider refused a page token, cursor or query locator as expired or invalid; the read restarts from its saved position' },
  AW_NORMALIZE_FAILED: { status: 422, retriable: false, message: 'a provider record could not be normalized' },
  AW_DECODE_FAILED: { status: 422, retriable: false, message: 'a Kafka message could not be decoded' },
  AW_ENCODE_FAILED: { status: 500, retriable: false, message: 'a record does not match its Avro schema' },
  AW_RECORD_TOO_LARGE: { status: 422, retriable: false, message: 'a record is larger than the Kafka message limit' },
  AW_SCHEMA_UNKNOWN: { status: 404, retriable: false, message: 'no schema has that fingerprint' },
  AW_KAFKA_FAILED: { status: 503, retriable: true, message: 'Kafka refused or failed an operation' },
  AW_CLICKHOUSE_FAILED: { status: 503, retriable: true, message: 'ClickHouse refused or failed a query' },
  AW_INTERNAL: { status: 500, retriable: false, message: 'an unexpected error' },
  AW_LOCAL_STACK_FAILED: { status: 500, retriable: false, message: 'a local service could not be started' },
  AW_GOVERNANCE_CONFLICT: { status: 409, retriable: false, message: 'the governance command is not in a state that allows this' },
  AW_GOVERNANCE_NOT_REVERSIBLE: { status: 409, retriable: false, message: 'the governance action has no inverse, so it cannot be reverted' },
  AW_NOTIFY_FAILED: { status: 502, retriable: true, message: 'the notifier (SMTP server or webhook) failed to deliver a notification' },
  AW_UNAUTHENTICATED: { status: 401, retriable: false, message: 'a valid API key or token is needed (Authorization: Bearer <key>)' },
  AW_FORBIDDEN: { status: 403, retriable: false, message: 'the role of this key or token does not allow this' },
  AW_SEPARATION_OF_DUTIES: { status: 403, retriable: false, message: 'the same person cannot ask for and approve a change' },
  AW_CONNECTION_EXISTS: { status: 409, retriable: false, message: 'this connector instance exists: change it with PATCH, or DELETE it first' },
  AW_KEY_CONFIGURED: { status: 409, retriable: false, message: 'this key is set by the configuration (APPWARDEN_ADMIN_KEY / api.adminKey): change or remove it there' },
  AW_MISDIRECTED: { status: 421, retriable: false, message: 'this server does not answer for that Host' },
  AW_RATE_LIMITED: { status: 429, retriable: true, message: 'too many requests; try again after the Retry-After seconds' },
  AW_BODY_TOO_LARGE: { status: 413, retriable: false, message: 'the request body is larger than this route accepts' },
  AW_UNSUPPORTED_MEDIA_TYPE: { status: 415, retriable: false, message: 'the request body has a content type this route does not take' },
  AW_QUERY_LIMIT: { status: 422, retriable: false, message: 'the query ran past its time or memory limit; narrow the time range or add filters' },
  AW_POLICY_INVALID: { status: 422, retriable: false, message: 'the policy is invalid; its problems name the line and field at fault' },
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface AppwardenErrorOptions {
  cause?: unknown;
  /** Overrides the catalogue's retriable flag, e.g. a 5xx from a provider is retriable, a 4xx is not. */
  retriable?: boolean;
  /** Overrides the catalogue's HTTP status (the API answers with it). */
  status?: number;
  /** Machine-readable details: the field at fault, the provider's status, the wait asked for... */
  details?: Record<string, unknown>;
}

export class AppwardenError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  readonly status: number;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message?: string, options: AppwardenErrorOptions = {}) {
    const entry = ERROR_CATALOGUE[code];
    super(message ?? entry.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppwardenError';
    this.code = code;
    this.retriable = options.retriable ?? entry.retriable;
    this.status = options.status ?? entry.status;
    this.details = options.details ?? {};
  }
}

/**
 * A provider answered an HTTP status we do not accept: `httpStatus` is the provider's status (403,
 * 404...), `status` stays the one the API answers with. Read it with `providerStatus(err)`.
 */
export class ProviderHttpError extends AppwardenError {
  readonly httpStatus: number;

  constructor(code: ErrorCode, message: string, options: AppwardenErrorOptions & { httpStatus: number }) {
    const { httpStatus, ...rest } = options;
    super(code, message, { ...rest, details: { status: httpStatus, ...rest.details } });
    this.name = 'ProviderHttpError';
    this.httpStatus = httpStatus;
  }
}

/** The provider's HTTP status when `err` is a provider's refusal, else null. */
export function providerStatus(err: unknown): number | null {
  return err instanceof ProviderHttpError ? err.httpStatus : null;
}

export function isAppwardenError(err: unknown, code?: ErrorCode): err is AppwardenError {
  return err instanceof AppwardenError && (code === undefined || err.code === code);
}

/** True when an operation that failed with `err` may succeed if tried again. */
export function isRetriable(err: unknown): boolean {
  if (err instanceof AppwardenError) return err.retriable;
  const e = err as { retriable?: unknown; code?: unknown } | null;
  if (e && typeof e.retriable === 'boolean') return e.retriable;
  // Network errors from fetch/undici arrive as TypeError with a system error as cause.
  const cause = (err as { cause?: { code?: string } } | null)?.cause;
  return typeof cause?.code === 'string' && /^(ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|UND_ERR_)/.test(cause.code);
}
