import { AppwardenError } from '../../core/errors.js';

/**
 * An id (a user, a group, a file) as one URL path segment: percent-encoded, and refused when it is
 * empty, `.` or `..`, or holds a slash or a backslash, so that an id taken from a provider record or
 * a governance command can never point a request at another path of the API.
 */
export function pathSegment(id: string): string {
  if (id === '' || id === '.' || id === '..' || /[/\\]/.test(id)) {
    throw new AppwardenError('AW_BAD_REQUEST', `${JSON.stringify(id)} cannot be used as an id in a URL path`, { details: { id } });
  }
  return encodeURIComponent(id);
}
