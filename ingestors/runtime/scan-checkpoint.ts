import { obj, type Json } from './json-fields.js';

/**
 * A snapshot scan's saved checkpoint, read back: the value when `isValid` accepts it, else null.
 * An unreadable or foreign checkpoint (a connector upgrade changed its shape) starts the scan over:
 * re-reading is harmless, skipping a part is not.
 */
export function readCheckpoint<T>(text: string | undefined, isValid: (value: Json) => boolean): T | null {
  if (text === undefined) return null;
  let value: Json | null;
  try {
    value = obj(JSON.parse(text));
  } catch {
    return null;
  }
  return value !== null && isValid(value) ? (value as T) : null;
}
