/**
 * Where a connector may send credentials: https, or plain http to a loopback address only (a local
 * simulator, a proxy on the same host). Checked at configuration (`providerOrigin`, `providerUrl`)
 * and again when an HTTP client is built (`providerUrlProblem`).
 */
import Type from 'typebox';

const LOOPBACK_HOST = String.raw`(localhost|127(\.\d{1,3}){3}|\[::1\])`;
const ORIGIN = String.raw`(https://[^\s/?#@]+|http://${LOOPBACK_HOST}(:\d+)?)`;

/** An origin (`https://acme.okta.com`), with an optional trailing slash. */
export const PROVIDER_ORIGIN_PATTERN = `^${ORIGIN}/?$`;
/** An origin and a path (`https://oauth2.googleapis.com/token`). */
export const PROVIDER_URL_PATTERN = String.raw`^${ORIGIN}(/[^\s#]*)?$`;

const RULE = 'https (http only for localhost, 127.0.0.0/8 or [::1])';

/** A setting holding a provider origin; `example` shows the expected form in the error. */
export function providerOrigin(example: string, options: { default?: string } = {}) {
  return Type.String({ pattern: PROVIDER_ORIGIN_PATTERN, description: `an origin such as ${example}, ${RULE}`, ...options });
}

/** A setting holding a provider URL (origin and path). */
export function providerUrl(example: string, options: { default?: string; what?: string } = {}) {
  const { what, ...rest } = options;
  return Type.String({ pattern: PROVIDER_URL_PATTERN, description: `${what ? `${what}: ` : ''}a URL such as ${example}, ${RULE}`, ...rest });
}

/** Why credentials may not go to `url`, or null when they may. */
export function providerUrlProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not a URL';
  }
  if (parsed.username !== '' || parsed.password !== '') return 'must not carry a user name or password';
  if (parsed.protocol === 'https:') return null;
  if (parsed.protocol === 'http:' && isLoopback(parsed.hostname)) return null;
  return `must be ${RULE}`;
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}
