/**
 * SigV4 against the AWS Signature Version 4 test suite (credentials AKIDEXAMPLE, 2015-08-30T12:36:00Z,
 * us-east-1, service "service"): the canonical request and signature of each case are AWS's.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { amzDate, canonicalRequest, parseAuthorization, sha256Hex, signRequest, signature, stringToSign } from './sigv4.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const AT = new Date('2015-08-30T12:36:00Z');
const SCOPE = { region: 'us-east-1', service: 'service' };
const EMPTY = sha256Hex('');
const HOST = 'example.amazonaws.com';

interface Vector { name: string; method: string; path: string; headers?: Record<string, string>; body?: string; canonical: string; signature: string }

const VECTORS: Vector[] = [
  {
    name: 'get-vanilla', method: 'GET', path: '/',
    canonical: `GET\n/\n\nhost:${HOST}\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n${EMPTY}`,
    signature: '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
  },
  {
    name: 'get-vanilla-query-order-key-case', method: 'GET', path: '/?Param2=value2&Param1=value1',
    canonical: `GET\n/\nParam1=value1&Param2=value2\nhost:${HOST}\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n${EMPTY}`,
    signature: 'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500',
  },
  {
    name: 'get-vanilla-query-order-encoded', method: 'GET', path: '/?Param-3=Value3&Param=Value2&%E1%88%B4=Value1',
    canonical: `GET\n/\n%E1%88%B4=Value1&Param=Value2&Param-3=Value3\nhost:${HOST}\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n${EMPTY}`,
    signature: '371d3713e185cc334048618a97f809c9ffe339c62934c032af5a0e595648fcac',
  },
  {
    name: 'get-vanilla-query-unreserved', method: 'GET',
    path: '/?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
    canonical: `GET\n/\n-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\nhost:${HOST}\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n${EMPTY}`,
    signature: '9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197',
  },
  {
    name: 'get-utf8', method: 'GET', path: '/ሴ',
    canonical: `GET\n/%E1%88%B4\n\nhost:${HOST}\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n${EMPTY}`,
    signature: '8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85',
  },
  {
    name: 'get-space-normalized', method: 'GET', path: '/example space/',
    canonical: `GET\n/example%20space/\n\nhost:${HOST}\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n${EMPTY}`,
    signature: '652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741',
  },
  {
    name: 'get-header-value-trim', method: 'GET', path: '/', headers: { 'my-header1': ' value1', 'my-header2': ' "a   b   c"' },
    canonical: `GET\n/\n\nhost:${HOST}\nmy-header1:value1\nmy-header2:"a b c"\nx-amz-date:20150830T123600Z\n\nhost;my-header1;my-header2;x-amz-date\n${EMPTY}`,
    signature: 'acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736',
  },
  {
    name: 'get-vanilla-with-session-token', method: 'GET', path: '/',
    headers: { 'x-amz-security-token': '6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267' },
    canonical: `GET\n/\n\nhost:${HOST}\nx-amz-date:20150830T123600Z\nx-amz-security-token:6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267\n\nhost;x-amz-date;x-amz-security-token\n${EMPTY}`,
    signature: '07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8',
  },
  {
    name: 'post-vanilla', method: 'POST', path: '/',
    canonical: `POST\n/\n\nhost:${HOST}\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n${EMPTY}`,
    signature: '5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b',
  },
  {
    name: 'post-vanilla-query', method: 'POST', path: '/?Param1=value1',
    canonical: `POST\n/\nParam1=value1\nhost:${HOST}\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n${EMPTY}`,
    signature: '28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11',
  },
  {
    // The body is hashed into the canonical request (and sent as x-amz-content-sha256).
    name: 'post-x-www-form-urlencoded', method: 'POST', path: '/', body: 'Param1=value1',
    headers: {
      'content-length': '13', 'content-type': 'application/x-www-form-urlencoded',
      'x-amz-content-sha256': '9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e',
    },
    canonical: `POST\n/\n\ncontent-length:13\ncontent-type:application/x-www-form-urlencoded\nhost:${HOST}\nx-amz-content-sha256:9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e\nx-amz-date:20150830T123600Z\n\ncontent-length;content-type;host;x-amz-content-sha256;x-amz-date\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e`,
    signature: 'd3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b',
  },
];

describe('SigV4: the AWS test suite', () => {
  for (const v of VECTORS) {
    test(v.name, () => {
      const url = new URL(`https://${HOST}${v.path}`);
      const headers = { host: HOST, 'x-amz-date': '20150830T123600Z', ...v.headers };
      const { text } = canonicalRequest(v.method, url, headers, sha256Hex(v.body ?? ''));
      assert.equal(text, v.canonical);
      assert.equal(signature(SECRET, '20150830T123600Z', SCOPE, stringToSign('20150830T123600Z', SCOPE, text)), v.signature);
    });
  }
});

describe('SigV4: signRequest', () => {
  test('signs the body hash, the session token and the content type, and the authorization names them', () => {
    const url = new URL('https://cloudtrail.us-east-1.amazonaws.com/');
    const body = '{"MaxResults":50}';
    const headers = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'CloudTrail_20131101.LookupEvents', accept: 'application/json' };
    const out = signRequest({ method: 'POST', url, headers, body }, { region: 'us-east-1', service: 'cloudtrail' },
      { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET, sessionToken: 'token-1' }, AT);
    assert.equal(out['x-amz-date'], amzDate(AT));
    assert.equal(out['x-amz-content-sha256'], sha256Hex(body));
    assert.equal(out['x-amz-security-token'], 'token-1');
    const auth = parseAuthorization(out.authorization);
    assert.ok(auth);
    assert.deepEqual([auth.accessKeyId, auth.date, auth.region, auth.service], ['AKIDEXAMPLE', '20150830', 'us-east-1', 'cloudtrail']);
    assert.deepEqual(auth.signedHeaders, ['content-type', 'host', 'x-amz-content-sha256', 'x-amz-date', 'x-amz-security-token', 'x-amz-target']);
    // The same request with another body or secret signs differently.
    const tampered = signRequest({ method: 'POST', url, headers, body: '{"MaxResults":49}' }, { region: 'us-east-1', service: 'cloudtrail' },
      { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET, sessionToken: 'token-1' }, AT);
    assert.notEqual(parseAuthorization(tampered.authorization)!.signature, auth.signature);
  });
});
