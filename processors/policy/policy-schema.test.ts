import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assertGolden } from '../../test/golden.js';
import { policyJsonSchema } from './policy-schema.js';

const PUBLISHED = fileURLToPath(new URL('../../policies/policy.schema.json', import.meta.url));

describe('the published policy JSON Schema', () => {
  test('policies/policy.schema.json is the schema generated from the TypeScript types (UPDATE_GOLDEN=1 rewrites it)', () => {
    assertGolden(PUBLISHED, `${JSON.stringify(policyJsonSchema(), null, 2)}\n`);
  });

  test('every field of a policy is documented for editors', () => {
    const undocumented: string[] = [];
    const visit = (node: unknown, path: string): void => {
      if (Array.isArray(node)) return node.forEach((n, i) => visit(n, `${path}[${i}]`));
      if (node === null || typeof node !== 'object') return;
      const n = node as Record<string, unknown>;
      if (n.properties && typeof n.properties === 'object') {
        for (const [name, prop] of Object.entries(n.properties as Record<string, Record<string, unknown>>)) {
          if (typeof prop.description !== 'string') undocumented.push(`${path}.${name}`);
        }
      }
      for (const [k, v] of Object.entries(n)) visit(v, `${path}.${k}`);
    };
    visit(policyJsonSchema(), '');
    assert.deepEqual(undocumented, []);
  });
});
