import { AppwardenError } from '../../../core/errors.js';
import type { RowBinaryWriter } from '../../../core/row-binary-writer.js';
import type { ChType } from './ch-types.js';

export type ValueWriter = (w: RowBinaryWriter, v: unknown) => void;

function invalid(what: string, v: unknown): never {
  throw new AppwardenError('AW_ENCODE_FAILED', `invalid ${what} for a ClickHouse row: ${String(v)}`);
}

/** The writer of one value of `type`. */
export function rowBinaryWriter(type: ChType): ValueWriter {
  switch (type.kind) {
    case 'string': return (w, v) => (typeof v === 'string' ? w.string(v) : invalid('String', v));
    case 'bool': return (w, v) => w.byte(v ? 1 : 0);
    case 'uint': {
      const { bytes } = type;
      return (w, v) => (typeof v === 'number' && v >= 0 ? w.uint(v, bytes) : invalid(`UInt${bytes * 8}`, v));
    }
    case 'datetime64': return (w, v) => (typeof v === 'number' && Number.isFinite(v) ? w.int64(v) : invalid('DateTime64', v));
    case 'nullable': {
      const of = rowBinaryWriter(type.of);
      return (w, v) => {
        if (v === null || v === undefined) w.byte(1);
        else {
          w.byte(0);
          of(w, v);
        }
      };
    }
    case 'array': {
      const of = rowBinaryWriter(type.of);
      return (w, v) => {
        const items = v as unknown[];
        w.varUInt(items.length);
        for (let i = 0; i < items.length; i++) of(w, items[i]);
      };
    }
    case 'map': {
      const key = rowBinaryWriter(type.key);
      const value = rowBinaryWriter(type.value);
      return (w, v) => {
        const map = v as Record<string, unknown>;
        let n = 0;
        for (const k in map) if (Object.hasOwn(map, k)) n++;
        w.varUInt(n);
        for (const k in map) {
          if (!Object.hasOwn(map, k)) continue;
          key(w, k);
          value(w, map[k]);
        }
      };
    }
    default: return invalid(`column type ${type.name}`, 'not writable');
  }
}
