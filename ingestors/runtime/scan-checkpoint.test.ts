import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readCheckpoint } from './scan-checkpoint.js';

interface At { drive: string; folders: string[] }
const isAt = (v: Record<string, unknown>) => typeof v.drive === 'string' && Array.isArray(v.folders);

test('a checkpoint the scan wrote is read back as it was saved', () => {
  const saved = JSON.stringify({ drive: 'b!1', folders: ['root', 'f2'] });
  assert.deepEqual(readCheckpoint<At>(saved, isAt), { drive: 'b!1', folders: ['root', 'f2'] });
});

test('no checkpoint, an unreadable one or one of another shape starts the scan over', () => {
  assert.equal(readCheckpoint<At>(undefined, isAt), null);
  assert.equal(readCheckpoint<At>('{"drive":', isAt), null);
  assert.equal(readCheckpoint<At>('["b!1"]', isAt), null);
  assert.equal(readCheckpoint<At>('null', isAt), null);
  assert.equal(readCheckpoint<At>(JSON.stringify({ space: 's1', cursor: 'c' }), isAt), null);
});
