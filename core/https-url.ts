/**
 * Where Appwarden may send credentials (a provider's API, a webhook): https, or plain http to a
 * loopback address only (a local simulator, a proxy on the same host). Checked at configuration
 * (`httpsOrigin`, `httpsUrl` name the setting at fault) and again when an HTTP client is built (`urlProblem`).
 */
import Type from 'typebox';

const LOOPBACK_HOST = String.raw`(localhost|127(\.\d{1,3}){3}|\[::1\])`;
const ORIGIN = String.raw`(https://[^\s/?#@]+|http://${LOOPBACK_HOST}(:\d+)?)`;

/** An origin (`https://acme.okta.com`), with an optional trailing slash. */
export const HTTPS_ORIGIN_PATTERN = `^${ORIGIN}/?$`;
/** An origin and a path (`https://oauth2.googleapis.com/token`). */
export const HTTPS_URL_PATTERN = String.raw`^${ORIGIN}(/[^\s#]*)?$`;

const RULE = 'https (http only for localhost, 127.0.0.0/8 or [::1])';

/** A setting holding an origin; `example` shows the expected form in the error. */
export function httpsOrigin(example: string, options: { default?: string } = {}) {
  return Type.String({ pattern: HTTPS_ORIGIN_PATTERN, description: `an origin such as ${example}, ${RULE}`, ...options });
}

/** A setting holding a URL (origin and path). */
export function httpsUrl(example: string, options: { default?: string; what?: string } = {}) {
  const { what, ...rest } = options;
  return Type.String({ pattern: HTTPS_URL_PATTERN, description: `${what ? `${what}: ` : ''}a URL such as ${example}, ${RULE}`, ...rest });
}

/** Why credentials may not go to `url`, or null when they may. */
export function urlProblem(url: string): string | null {
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
