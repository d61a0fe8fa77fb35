import { assertCanonicalTenantId, currentTenant, InvalidTenantIdError, MissingTenantContextError, requireTenant, runWithTenant } from './tenant-context';

const tenantA = { tenantId: '11111111-1111-4111-8111-111111111111', planId: 'free', statementTimeoutMs: 2000 };
const tenantB = { tenantId: '22222222-2222-4222-8222-222222222222', planId: 'pro', statementTimeoutMs: 5000 };

describe('tenant context', () => {
  it('is absent outside a tenant run', () => {
    expect(currentTenant()).toBeUndefined();
    expect(() => requireTenant()).toThrow(MissingTenantContextError);
  });

  it('follows awaits and timers inside the run', async () => {
    const seen = await runWithTenant(tenantA, async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return requireTenant().tenantId;
    });
    expect(seen).toBe(tenantA.tenantId);
  });

  it('keeps concurrent runs apart', async () => {
    const observe = (context: typeof tenantA, delay: number) =>
      runWithTenant(context, async () => {
        await new Promise((resolve) => setTimeout(resolve, delay));
        return requireTenant().tenantId;
      });
    const [a, b] = await Promise.all([observe(tenantA, 10), observe(tenantB, 1)]);
    expect(a).toBe(tenantA.tenantId);
    expect(b).toBe(tenantB.tenantId);
  });

  it('cannot be mutated by the code it runs', () => {
    runWithTenant(tenantA, () => {
      const context = requireTenant() as { tenantId: string };
      expect(() => {
        context.tenantId = tenantB.tenantId;
      }).toThrow(TypeError);
    });
  });

  it.each([
    "11111111-1111-4111-8111-111111111111'; RESET ALL; --",
    '11111111-1111-4111-8111-11111111111',
    '11111111-1111-4111-8111-111111111111 ',
    '11111111111141118111111111111111',
    '',
  ])('rejects %j as a tenant id before it can reach SQL', (tenantId) => {
    expect(() => assertCanonicalTenantId(tenantId)).toThrow(InvalidTenantIdError);
    expect(() => runWithTenant({ ...tenantA, tenantId }, () => undefined)).toThrow(InvalidTenantIdError);
  });
});
