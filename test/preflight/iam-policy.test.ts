import { describe, expect, it } from 'vitest';
import { covers, evaluate, overlaps, parsePolicyDocument, worse, type NamedPolicy, type Statement } from '../../src/aws/iam-policy.js';

// The policy matcher preflight judges the execution role with, on hand-made documents.

const doc = (...Statement: Statement[]): NamedPolicy[] => [{ name: 'p', document: { Version: '2012-10-17', Statement } }];
const BUCKET = 'arn:aws:s3:::airflow-x';

describe('wildcard patterns', () => {
  it('covers: every text the required pattern names is matched', () => {
    expect(covers(['*'], 'anything')).toBe(true);
    expect(covers(['arn:aws:s3:::airflow-x/*'], 'arn:aws:s3:::airflow-x/*')).toBe(true);
    expect(covers(['arn:aws:s3:::airflow-*'], 'arn:aws:s3:::airflow-x/*')).toBe(true); // * spans '/'
    expect(covers(['arn:aws:s3:::airflow-x/dags/*'], 'arn:aws:s3:::airflow-x/*')).toBe(false);
    expect(covers(['arn:aws:s3:::airflow-?'], BUCKET)).toBe(true);
    expect(covers(['arn:aws:s3:::airflow-?'], 'arn:aws:s3:::airflow-xy')).toBe(false);
    expect(covers(['arn:aws:sqs:*:*:airflow-celery-*'], 'arn:aws:sqs:us-east-1:*:airflow-celery-*')).toBe(true);
    expect(covers(['arn:aws:sqs:us-east-1:123456789012:airflow-celery-*'], 'arn:aws:sqs:us-east-1:*:airflow-celery-*')).toBe(false);
    // A union covers what no single pattern does.
    expect(covers(['a', 'a?*'], 'a*')).toBe(true);
    expect(covers(['a?*'], 'a*')).toBe(false);
    expect(covers(['*?'], '*')).toBe(false); // the empty text
  });

  it('overlaps: some text both name', () => {
    expect(overlaps(['arn:aws:s3:::airflow-x/dags/*'], 'arn:aws:s3:::airflow-x/*')).toBe(true);
    expect(overlaps(['arn:aws:s3:::other/*'], 'arn:aws:s3:::airflow-x/*')).toBe(false);
    expect(overlaps(['*:log-group:airflow-a-*'], 'arn:aws:logs:r:1:log-group:airflow-*-Task')).toBe(true);
    expect(overlaps(['abc'], 'a?d')).toBe(false);
  });
});

describe('evaluate', () => {
  const read = { action: 's3:GetObject', resource: `${BUCKET}/*` };

  it('allows through a covering Allow, with actions compared case-insensitively', () => {
    expect(evaluate(doc({ Effect: 'Allow', Action: 'S3:getobject*', Resource: `${BUCKET}/*` }), read)).toEqual({ decision: 'allowed', because: [] });
    expect(evaluate(doc({ Effect: 'Allow', Action: ['s3:*'], Resource: ['arn:aws:s3:::*'] }), read).decision).toBe('allowed');
  });

  it('does not allow what no statement covers: other actions, narrower or differently cased resources', () => {
    expect(evaluate(doc({ Effect: 'Allow', Action: 's3:PutObject', Resource: '*' }), read).decision).toBe('not-allowed');
    expect(evaluate(doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: `${BUCKET}/dags/*` }), read).decision).toBe('not-allowed');
    expect(evaluate(doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::AIRFLOW-X/*' }), read).decision).toBe('not-allowed');
    expect(evaluate(doc(), read).decision).toBe('not-allowed');
  });

  it('lets an explicit Deny win when it meets any of the resources, across documents', () => {
    const policies = [...doc({ Effect: 'Allow', Action: '*', Resource: '*' }), { name: 'guard', document: { Statement: { Sid: 'NoDags', Effect: 'Deny', Action: 's3:Get*', Resource: `${BUCKET}/dags/*` } } }];
    expect(evaluate(policies, read)).toEqual({ decision: 'denied', because: ["explicitly denied by guard, statement 'NoDags'"] });
    expect(evaluate(policies, { action: 's3:ListBucket', resource: BUCKET }).decision).toBe('allowed');
  });

  it('reports conditions as conditional, and NotAction/NotResource/policy variables as unknown', () => {
    const cond = { StringEquals: { 'kms:ViaService': 'sqs.us-east-1.amazonaws.com' } };
    expect(evaluate(doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: cond }), read)).toEqual({
      decision: 'conditional',
      because: ['allowed only by p, statement 1: a condition on kms:ViaService (not evaluated)'],
    });
    expect(evaluate(doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }), read).decision).toBe('unknown');
    expect(evaluate(doc({ Effect: 'Allow', Action: 's3:*', NotResource: 'arn:aws:s3:::secret/*' }), read).decision).toBe('unknown');
    expect(evaluate(doc({ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::${aws:username}/*' }), read).decision).toBe('unknown');
    expect(evaluate(doc({ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::${aws:username}/*' }), { action: 's3:ListBucket', resource: BUCKET }).decision).toBe('not-allowed');
    // Elements that rule a statement out still do so next to one that is not evaluated.
    expect(evaluate(doc({ Effect: 'Deny', Action: 'ec2:*', NotResource: 'x' }, { Effect: 'Allow', Action: 's3:*', Resource: '*' }), read).decision).toBe('allowed');
    // A Deny that may apply makes an Allow uncertain, as far as it may.
    const allowAll = { Effect: 'Allow', Action: '*', Resource: '*' };
    expect(evaluate(doc(allowAll, { Effect: 'Deny', Action: 's3:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }), read)).toEqual({
      decision: 'conditional',
      because: ['may be denied by p, statement 2: a condition on aws:SecureTransport (not evaluated)'],
    });
    expect(evaluate(doc(allowAll, { Effect: 'Deny', NotAction: 's3:*', Resource: '*' }), read).decision).toBe('unknown');
  });

  it('matches service principals in trust policies', () => {
    const assume = (service: string) => ({ action: 'sts:AssumeRole', service });
    const trust = doc({ Effect: 'Allow', Principal: { Service: ['airflow.amazonaws.com', 'airflow-env.amazonaws.com'] }, Action: 'sts:AssumeRole' });
    expect(evaluate(trust, assume('airflow-env.amazonaws.com')).decision).toBe('allowed');
    expect(evaluate(trust, assume('ec2.amazonaws.com')).decision).toBe('not-allowed');
    expect(evaluate(doc({ Effect: 'Allow', Principal: { Service: 'airflow.amazonaws.com' }, Action: 'sts:*' }), assume('airflow.amazonaws.com')).decision).toBe('allowed');
    expect(evaluate(doc({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::1:root' }, Action: 'sts:AssumeRole' }), assume('airflow.amazonaws.com')).decision).toBe('not-allowed');
    expect(evaluate(doc({ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }), assume('airflow.amazonaws.com')).decision).toBe('allowed');
    expect(evaluate(doc({ Effect: 'Allow', NotPrincipal: { AWS: 'x' }, Action: 'sts:AssumeRole' }), assume('airflow.amazonaws.com')).decision).toBe('unknown');
  });

  it('orders decisions from allowed to denied', () => {
    expect(worse('allowed', 'conditional')).toBe('conditional');
    expect(worse('unknown', 'conditional')).toBe('unknown');
    expect(worse('not-allowed', 'denied')).toBe('denied');
  });
});

describe('parsePolicyDocument', () => {
  const text = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::a b/*' }] });
  it('reads IAM\'s URL-encoded documents and plain JSON alike', () => {
    expect(parsePolicyDocument(encodeURIComponent(text))).toEqual(JSON.parse(text));
    expect(parsePolicyDocument(text)).toEqual(JSON.parse(text));
  });
  it('rejects what is not a JSON object', () => {
    expect(() => parsePolicyDocument('%5B%5D')).toThrow(/not a JSON object/);
    expect(() => parsePolicyDocument('%7Bnot json')).toThrow();
  });
});
