import assert from 'node:assert/strict';
import { createPublicKey, createVerify, generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { isAppwardenError } from '../../core/errors.js';
import { parseEventsPage } from './api.js';
import { jwtAssertion } from './auth.js';

describe('Box events pages', () => {
  test('next_stream_position above 2^53 stays exactly as Box wrote it, never a rounded number', () => {
    const position = '1152921504606846977';
    assert.ok(BigInt(position) > 2n ** 53n);
    assert.notEqual(String(Number(position)), position, 'a JavaScript number would round it');
    const page = parseEventsPage(`{"chunk_size":1,"next_stream_position":${position},"entries":[{"event_id":"a","note":"\\"next_stream_position\\": 5"}]}`);
    assert.equal(page.nextPosition, position);
    assert.equal(page.entries[0]!.note, '"next_stream_position": 5', 'text inside an entry is left alone');
    assert.equal(parseEventsPage(`{"next_stream_position":"${position}","entries":[]}`).nextPosition, position, 'a quoted position too');
  });

  test('a page without entries or position is refused', () => {
    assert.throws(() => parseEventsPage('{"entries":[]}'), (err) => isAppwardenError(err, 'AW_PROVIDER_RESPONSE_INVALID'));
    assert.throws(() => parseEventsPage('not json'), (err) => isAppwardenError(err, 'AW_PROVIDER_RESPONSE_INVALID'));
  });
});

describe('Box JWT assertion', () => {
  test('RS256 with the key id, signed with the passphrase-protected key; its claims name the app, the enterprise and the token URL', () => {
    const passphrase = 'correct horse battery staple';
    const pair = generateKeyPairSync('rsa', {
      modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase },
    });
    const now = Date.parse('2025-01-01T00:00:00Z');
    const credentials = {
      authMethod: 'jwt' as const, clientId: 'client-1', clientSecret: 's', enterpriseId: '123', tokenUrl: 'https://api.box.com/oauth2/token',
      jwt: { publicKeyId: 'kid-9', privateKey: pair.privateKey, passphrase },
    };
    const assertion = jwtAssertion(credentials, now);
    const [header, claims, signature] = assertion.split('.');
    const read = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    assert.deepEqual(read(header!), { alg: 'RS256', typ: 'JWT', kid: 'kid-9' });
    const c = read(claims!);
    assert.deepEqual([c.iss, c.sub, c.box_sub_type, c.aud, c.exp], ['client-1', '123', 'enterprise', 'https://api.box.com/oauth2/token', now / 1000 + 45]);
    assert.ok(typeof c.jti === 'string' && c.jti.length >= 16 && c.jti !== read(jwtAssertion(credentials, now).split('.')[1]!).jti, 'a fresh jti each time');
    assert.ok(createVerify('RSA-SHA256').update(`${header}.${claims}`).verify(createPublicKey(pair.publicKey), Buffer.from(signature!, 'base64url')));
    assert.throws(() => jwtAssertion({ ...credentials, jwt: { ...credentials.jwt, passphrase: 'wrong' } }, now), (err) => isAppwardenError(err, 'AW_CONFIG_INVALID'));
  });
});
