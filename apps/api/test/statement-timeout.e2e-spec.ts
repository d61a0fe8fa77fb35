import { TenantDatabase } from '@app/persistence';
import { runWithTenant } from '@app/tenancy';
import { createTenant } from '@app/testing';
import { startTestApi, TestApi } from './support/api';

describe("the plan's statement timeout", () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  it('cancels a tenant statement that runs longer than the plan allows', async () => {
    const tenant = await createTenant(api.admin);
    const database = api.app.get(TenantDatabase);
    const outcome = runWithTenant({ tenantId: tenant.id, planId: 'free', statementTimeoutMs: 200 }, () =>
      database.transaction((tx) => tx.query('SELECT pg_sleep(5)', [])),
    );
    await expect(outcome).rejects.toMatchObject({ driverError: expect.objectContaining({ code: '57014' }) });
    // The connection is usable again: the next transaction of the same pool succeeds.
    const rows = await runWithTenant({ tenantId: tenant.id, planId: 'free', statementTimeoutMs: 2000 }, () =>
      database.transaction((tx) => tx.query<{ one: number }>('SELECT 1 AS one', [])),
    );
    expect(rows).toEqual([{ one: 1 }]);
  });
});
