import type { Response } from 'supertest';

/** Shapes of the HTTP contract, asserted exactly: no missing and no extra fields. */

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

function expectPositiveInteger(value: unknown): void {
  expect(Number.isSafeInteger(value)).toBe(true);
  expect(value as number).toBeGreaterThan(0);
}

function expectNonNegativeInteger(value: unknown): void {
  expect(Number.isSafeInteger(value)).toBe(true);
  expect(value as number).toBeGreaterThanOrEqual(0);
}

function expectIsoInstant(value: unknown): void {
  expect(value).toMatch(ISO_INSTANT);
  expect(new Date(value as string).toISOString()).toBe(value);
}

export function expectTenant(body: Record<string, unknown>, extraKeys: string[] = []): void {
  expect(Object.keys(body).sort()).toEqual(['createdAt', 'id', 'name', 'plan', 'status', ...extraKeys].sort());
  expect(body.id).toMatch(UUID);
  expect(typeof body.name).toBe('string');
  // Not only free/pro/enterprise: other test files add plans of their own to the shared database.
  expect(typeof body.plan).toBe('string');
  expect(['active', 'suspended']).toContain(body.status);
  expectIsoInstant(body.createdAt);
}

export function expectPayment(body: Record<string, unknown>): void {
  expect(Object.keys(body).sort()).toEqual(['amountCents', 'createdAt', 'id', 'method', 'orderId', 'status'].sort());
  expectPositiveInteger(body.id);
  expectPositiveInteger(body.orderId);
  expectPositiveInteger(body.amountCents);
  expect(['card', 'bank_transfer', 'wallet']).toContain(body.method);
  expect(body.status).toBe('captured');
  expectIsoInstant(body.createdAt);
}

/** An order; `withDetails` for the single-order answers (items and payments), not for list rows. */
export function expectOrder(body: Record<string, any>, withDetails: boolean): void {
  const keys = ['countryCode', 'createdAt', 'currency', 'id', 'note', 'paidCents', 'status', 'totalCents', 'updatedAt'];
  expect(Object.keys(body).sort()).toEqual((withDetails ? [...keys, 'items', 'payments'] : keys).sort());
  expectPositiveInteger(body.id);
  expect(['pending', 'paid', 'cancelled']).toContain(body.status);
  expect(body.countryCode).toMatch(/^[A-Z]{2}$/);
  expect(body.currency).toMatch(/^[A-Z]{3}$/);
  expect(body.note === null || typeof body.note === 'string').toBe(true);
  expectNonNegativeInteger(body.totalCents);
  expectNonNegativeInteger(body.paidCents);
  expectIsoInstant(body.createdAt);
  expectIsoInstant(body.updatedAt);
  if (!withDetails) return;
  expect(Array.isArray(body.items)).toBe(true);
  for (const item of body.items) {
    expect(Object.keys(item).sort()).toEqual(['id', 'lineTotalCents', 'quantity', 'sku', 'unitPriceCents']);
    expectPositiveInteger(item.id);
    expect(typeof item.sku).toBe('string');
    expectPositiveInteger(item.quantity);
    expectNonNegativeInteger(item.unitPriceCents);
    expect(item.lineTotalCents).toBe(item.quantity * item.unitPriceCents);
  }
  expect(Array.isArray(body.payments)).toBe(true);
  for (const payment of body.payments) expectPayment(payment);
}

/**
 * The one error shape: `{statusCode, error, message, requestId[, details]}`, the request id the
 * same as the X-Request-Id header, and `details` exactly when `withDetails` says so.
 */
export function expectError(response: Response, status: number, options: { withDetails?: boolean; field?: string } = {}): void {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const body = response.body as Record<string, unknown>;
  const withDetails = options.withDetails ?? options.field !== undefined;
  expect(Object.keys(body).sort()).toEqual(['error', 'message', 'requestId', 'statusCode', ...(withDetails ? ['details'] : [])].sort());
  expect(body.statusCode).toBe(status);
  expect(typeof body.error).toBe('string');
  expect((body.error as string).length).toBeGreaterThan(0);
  expect(typeof body.message).toBe('string');
  expect((body.message as string).length).toBeGreaterThan(0);
  expect(body.requestId).toBe(response.headers['x-request-id']);
  expect(JSON.stringify(body)).not.toMatch(/\bat .+\.(ts|js):\d+|SELECT |INSERT |UPDATE |violates|constraint/i);
  if (withDetails) {
    const details = body.details as Array<Record<string, unknown>>;
    expect(Array.isArray(details)).toBe(true);
    expect(details.length).toBeGreaterThan(0);
    for (const detail of details) {
      expect(Object.keys(detail).sort()).toEqual(['field', 'message']);
      expect(typeof detail.field).toBe('string');
      expect(typeof detail.message).toBe('string');
    }
    if (options.field !== undefined) expect(details.map((detail) => detail.field)).toContain(options.field);
  }
}
