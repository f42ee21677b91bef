/**
 * AWS's error answers in each protocol: JSON 1.1 (`__type`, CloudTrail, HTTP 400 even for a denied
 * permission), the Query API's XML `ErrorResponse` (IAM, STS) and S3's XML `Error`.
 */
import { escapeXml } from '../../ingestors/aws/xml.js';
import { bodyField, type ContinuationContract } from '../common/faults.js';

export type Protocol = 'json' | 'query' | 's3';

export class AwsError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export function answer(protocol: Protocol, err: AwsError, requestId: string): { status: number; contentType: string; body: string } {
  if (protocol === 'json') {
    return { status: err.status, contentType: 'application/x-amz-json-1.1', body: JSON.stringify({ __type: err.code, message: err.message }) };
  }
  if (protocol === 'query') {
    const type = err.status >= 500 ? 'Receiver' : 'Sender';
    return {
      status: err.status, contentType: 'text/xml',
      body: `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>${type}</Type><Code>${err.code}</Code><Message>${escapeXml(err.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    };
  }
  return {
    status: err.status, contentType: 'application/xml',
    body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${err.code}</Code><Message>${escapeXml(err.message)}</Message><RequestId>${requestId}</RequestId></Error>`,
  };
}

/** The errors of each protocol for the same failure. */
export const errors = {
  unknownKey: (p: Protocol) => p === 'json'
    ? new AwsError(400, 'UnrecognizedClientException', 'The security token included in the request is invalid.')
    : p === 's3' ? new AwsError(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.')
      : new AwsError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.'),
  badSignature: (p: Protocol) => p === 'json'
    ? new AwsError(400, 'InvalidSignatureException', 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.')
    : new AwsError(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.'),
  missingAuth: (p: Protocol) => p === 's3'
    ? new AwsError(403, 'AccessDenied', 'Access Denied')
    : p === 'json' ? new AwsError(400, 'MissingAuthenticationTokenException', 'Request is missing Authentication Token')
      : new AwsError(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token'),
  expired: (p: Protocol) => new AwsError(p === 'json' ? 400 : 403, p === 'json' ? 'ExpiredTokenException' : 'ExpiredToken', 'The security token included in the request is expired'),
  accessDenied: (p: Protocol, action: string, arn: string) => p === 'json'
    ? new AwsError(400, 'AccessDeniedException', `User: ${arn} is not authorized to perform: ${action}`)
    : p === 's3' ? new AwsError(403, 'AccessDenied', 'Access Denied')
      : new AwsError(403, 'AccessDenied', `User: ${arn} is not authorized to perform: ${action}`),
  throttled: (p: Protocol) => p === 'json'
    ? new AwsError(400, 'ThrottlingException', 'Rate exceeded')
    : p === 's3' ? new AwsError(503, 'SlowDown', 'Please reduce your request rate.') : new AwsError(400, 'Throttling', 'Rate exceeded'),
};

/**
 * LookupEvents' continuation is `NextToken` in the JSON body; one CloudTrail no longer honours is
 * refused with HTTP 400 `InvalidNextTokenException` ("A token that is not valid, or a token that was
 * previously used in a request with different parameters", CloudTrail API reference / botocore).
 */
export const cloudTrailContinuation: ContinuationContract = {
  carries: (request) => String(request.headers['x-amz-target'] ?? '').endsWith('.LookupEvents') && bodyField(request, 'NextToken') !== null,
  refusal: () => {
    const { status, contentType, body } = answer('json', new AwsError(400, 'InvalidNextTokenException', 'Invalid NextToken'), '');
    return { status, contentType, body };
  },
};
