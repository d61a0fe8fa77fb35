import { DataSource } from 'typeorm';
import { MissingTenantContextError, runWithTenant } from '@app/tenancy';
import { TenantContextNotReachedError } from './database-errors';
import { openingStatements, TenantDatabase, undelegatedTenantCalls } from './tenant-database';

const tenant = { tenantId: '0f0e0d0c-0b0a-4909-8807-060504030201', planId: 'free', statementTimeoutMs: 2000 };

/** A query runner that records what would be sent to the database. */
function fakeRunner() {
  const sent: string[] = [];
  const runner = {
    isReleased: false,
    connect: jest.fn(),
    query: jest.fn(async (sql: string): Promise<{ records: unknown[] }> => {
      sent.push(sql);
      return { records: [] };
    }),
    release: jest.fn(async () => {
      runner.isReleased = true;
    }),
    releasePostgresConnection: jest.fn(async () => {
      runner.isReleased = true;
    }),
  };
  return { runner, sent };
}

describe('TenantDatabase', () => {
  it('refuses to run without a tenant context, before taking a connection', async () => {
    const createQueryRunner = jest.fn();
    const database = new TenantDatabase({ createQueryRunner } as unknown as DataSource);
    await expect(database.transaction(async () => 'unreachable')).rejects.toThrow(MissingTenantContextError);
    expect(createQueryRunner).not.toHaveBeenCalled();
  });

  it('opens with the plan timeout, then the tenant as a SET LOCAL alone in its query string (Citus forwards that whole string)', () => {
    expect(openingStatements(tenant)).toEqual([
      `BEGIN ISOLATION LEVEL READ COMMITTED; SELECT set_config('statement_timeout', '2000', true)`,
      `SET LOCAL app.tenant_id = '${tenant.tenantId}'`,
    ]);
    expect(openingStatements(tenant, { isolation: 'repeatable read', readOnly: true })[0]).toMatch(/^BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; /);
  });

  const lostTenant = () => Object.assign(new Error('invalid input syntax for type uuid: "no tenant context"'), { code: '22P02', severity: 'ERROR' });
  const lostShard = () => Object.assign(new Error('could not find valid entry for shard 102047'), { code: 'XX000', severity: 'ERROR' });
  const undelegatedCount = async () => (await undelegatedTenantCalls.get()).values[0]?.value ?? 0;

  it('asks once more when the call met a shard just replaced, and only then', async () => {
    const query = jest
      .fn()
      .mockRejectedValueOnce(lostShard())
      .mockResolvedValueOnce({ rows: [{ id: 1 }] });
    const database = new TenantDatabase({ driver: { master: { query } } } as unknown as DataSource);
    expect(await runWithTenant(tenant, () => database.call('SELECT * FROM tenant_order_details($1, $2)', [7]))).toEqual([{ id: 1 }]);
    expect(query).toHaveBeenCalledTimes(2);

    const other = Object.assign(new Error('division by zero'), { code: '22012', severity: 'ERROR' });
    const failing = jest.fn().mockRejectedValue(other);
    const strict = new TenantDatabase({ driver: { master: { query: failing } } } as unknown as DataSource);
    await expect(runWithTenant(tenant, () => strict.call('SELECT 1/0', []))).rejects.toBe(other);
    expect(failing).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['was not delegated', [lostTenant]],
    ['met a replaced shard, then was not delegated', [lostShard, lostTenant]],
  ])('runs a call that %s once more in a tenant transaction, and counts it', async (_case, failures) => {
    const query = jest.fn();
    for (const failure of failures) query.mockRejectedValueOnce(failure());
    const { runner, sent } = fakeRunner();
    runner.query.mockImplementation(async (sql: string) => {
      sent.push(sql);
      return { records: sql.startsWith('SELECT * FROM') ? [{ id: 1 }] : [] };
    });
    const database = new TenantDatabase({ driver: { master: { query } }, createQueryRunner: () => runner } as unknown as DataSource);
    const before = await undelegatedCount();
    expect(await runWithTenant(tenant, () => database.call('SELECT * FROM tenant_order_details($1, $2)', [7]))).toEqual([{ id: 1 }]);
    expect(sent).toEqual([...openingStatements(tenant), 'SELECT * FROM tenant_order_details($1, $2)', 'COMMIT']);
    expect(runner.query).toHaveBeenCalledWith('SELECT * FROM tenant_order_details($1, $2)', [tenant.tenantId, 7], true);
    expect(await undelegatedCount()).toBe(before + 1);
  });

  it('gives up with a 503-class error when the tenant does not reach the worker even through the transaction', async () => {
    const query = jest.fn().mockRejectedValue(lostTenant());
    const { runner } = fakeRunner();
    runner.query.mockImplementation(async (sql: string) => {
      if (sql.startsWith('SELECT * FROM')) throw lostTenant();
      return { records: [] };
    });
    const database = new TenantDatabase({ driver: { master: { query } }, createQueryRunner: () => runner } as unknown as DataSource);
    await expect(runWithTenant(tenant, () => database.call('SELECT * FROM tenant_order_details($1, $2)', [7]))).rejects.toBeInstanceOf(
      TenantContextNotReachedError,
    );
  });

  it('calls a tenant function with the tenant id as $1, and not at all without a tenant', async () => {
    const query = jest.fn(() => Promise.resolve({ rows: [{ id: 1 }] }));
    const database = new TenantDatabase({ driver: { master: { query } } } as unknown as DataSource);
    await expect(database.call('SELECT * FROM tenant_order_details($1, $2)', [7])).rejects.toThrow(MissingTenantContextError);
    expect(query).not.toHaveBeenCalled();
    expect(await runWithTenant(tenant, () => database.call('SELECT * FROM tenant_order_details($1, $2)', [7]))).toEqual([{ id: 1 }]);
    expect(query).toHaveBeenCalledWith('SELECT * FROM tenant_order_details($1, $2)', [tenant.tenantId, 7]);
  });

  it('never inlines anything but a canonical UUID', () => {
    expect(() => openingStatements({ ...tenant, tenantId: "x'; DROP TABLE orders; --" })).toThrow();
  });

  it('runs the work with the tenant opening through the transaction helper', async () => {
    const { runner, sent } = fakeRunner();
    const database = new TenantDatabase({ createQueryRunner: () => runner } as unknown as DataSource);
    await runWithTenant(tenant, () => database.transaction((tx) => tx.query('SELECT 1 WHERE $1::uuid IS NOT NULL', [tx.tenantId])));
    expect(sent).toEqual([...openingStatements(tenant), 'SELECT 1 WHERE $1::uuid IS NOT NULL', 'COMMIT']);
    expect(runner.release).toHaveBeenCalledTimes(1);
  });
});
