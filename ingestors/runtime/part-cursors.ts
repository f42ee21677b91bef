import { AppwardenError } from '../../core/errors.js';
import { obj } from './json-fields.js';

/**
 * The saved cursor of a change stream that follows several parts of a tenant (Office 365 drives, Dropbox
 * members' spaces), each with the provider's own cursor: `{"v":1,"<parts>":{"<part id>":"<cursor>"}}`.
 */
export interface PartCursors {
  /** Part id → the provider's cursor (a delta link, a list_folder cursor). */
  readonly cursors: Record<string, string>;
  /** The text to save. */
  text(): string;
}

/** Part cursors under the key `parts` (`drives`, `spaces`), empty or from a saved text. */
export function partCursors(parts: string, saved?: string): PartCursors {
  const cursors = saved === undefined ? {} : parse(parts, saved);
  return { cursors, text: () => JSON.stringify({ v: 1, [parts]: cursors }) };
}

function parse(parts: string, text: string): Record<string, string> {
  try {
    const parsed = obj(JSON.parse(text));
    const cursors = obj(parsed?.[parts]);
    if (parsed?.v === 1 && cursors !== null && Object.values(cursors).every((c) => typeof c === 'string')) return { ...(cursors as Record<string, string>) };
  } catch {
    // reported below
  }
  throw new AppwardenError('AW_PROVIDER_RESPONSE_INVALID', `the saved change cursor (${parts}) is not one this connector wrote`, { details: { cursor: text.slice(0, 200) } });
}
