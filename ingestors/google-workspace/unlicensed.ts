import { providerStatus, type AppwardenError } from '../../core/errors.js';

// What the Reports API answers (403, reason forbidden) for reporting data the customer has no access
// to, as for an application its edition or licenses do not include. The admin's own lack of the
// Reports privilege is a different answer (401 "not authorized to read activity records") and stops
// every application, so the credential check (which reads `login`) tells them apart.
const REFUSED = 'does not have access to the customers reporting data';

/**
 * Whether the Reports API refused `application` because the tenant lacks it: the reason shown on the
 * stream (state `not_available`), else null.
 */
export function unlicensedApplication(application: string, err: unknown): string | null {
  let refusal: unknown = err;
  // The error itself, or the provider's answer it wraps.
  for (let depth = 0; refusal && providerStatus(refusal) === null && depth < 5; depth++) refusal = (refusal as { cause?: unknown }).cause;
  if (providerStatus(refusal) !== 403) return null;
  const body = (refusal as AppwardenError).details.body;
  if (typeof body !== 'string' || !body.includes(REFUSED)) return null;
  return `not available for this tenant: the Reports API refused application ${application} (HTTP 403: Caller ${REFUSED}), as for a product the tenant has no license for`;
}
