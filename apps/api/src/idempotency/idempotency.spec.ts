import { canonicalJson, requestFingerprint } from './idempotency';

describe('request fingerprints', () => {
  it('ignores key order and undefined fields', () => {
    expect(canonicalJson({ b: 1, a: [{ y: 2, x: 1 }], c: undefined })).toBe('{"a":[{"x":1,"y":2}],"b":1}');
    expect(requestFingerprint('order', { a: 1, b: 2 })).toBe(requestFingerprint('order', { b: 2, a: 1 }));
  });

  it('differs when the body, the item order or the operation differ', () => {
    const body = { items: [{ sku: 'a' }, { sku: 'b' }] };
    expect(requestFingerprint('order', body)).not.toBe(requestFingerprint('order', { items: [{ sku: 'b' }, { sku: 'a' }] }));
    expect(requestFingerprint('payment:1', { amountCents: 5 })).not.toBe(requestFingerprint('payment:2', { amountCents: 5 }));
  });
});
