import { QueryFailedError } from 'typeorm';
import { isDatabaseUnavailable, isShardReplaced, isTenantContextMissing, TenantContextNotReachedError } from './database-errors';

function queryFailed(code: string, message = 'failed'): QueryFailedError {
  return new QueryFailedError('SELECT 1', [], Object.assign(new Error(message), { code }));
}

describe('isDatabaseUnavailable', () => {
  it.each(['08006', '08001', '57P01', '57P03', '53300', '57014', '40001'])('treats SQLSTATE %s as unavailable', (code) => {
    expect(isDatabaseUnavailable(queryFailed(code))).toBe(true);
  });

  it('treats a refused socket as unavailable', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6432'), { code: 'ECONNREFUSED' }))).toBe(true);
  });

  it('treats pool and Citus messages without a useful code as unavailable', () => {
    expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isDatabaseUnavailable(queryFailed('XX000', 'connection to the remote node 127.0.0.1:9702 failed with the following error'))).toBe(true);
    expect(isDatabaseUnavailable(queryFailed('XX000', 'postmaster was shut down, exiting'))).toBe(true);
  });

  it('does not hide real bugs or constraint violations as unavailability', () => {
    expect(isDatabaseUnavailable(queryFailed('23505', 'duplicate key'))).toBe(false);
    expect(isDatabaseUnavailable(queryFailed('42P01', 'relation does not exist'))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError('x is undefined'))).toBe(false);
    expect(isDatabaseUnavailable('not an error')).toBe(false);
  });
});

describe('the errors of a tenant call that Citus did not carry to the worker', () => {
  it("tells the policies' missing tenant from Citus's replaced shard, and from every other error", () => {
    const missing = queryFailed('22P02', 'invalid input syntax for type uuid: "no tenant context"');
    const replaced = queryFailed('XX000', 'could not find valid entry for shard 102047');
    expect([isTenantContextMissing(missing), isShardReplaced(missing)]).toEqual([true, false]);
    expect([isTenantContextMissing(replaced), isShardReplaced(replaced)]).toEqual([false, true]);
    for (const other of [
      queryFailed('22P02', 'invalid input syntax for type uuid: "abc"'),
      queryFailed('42501', 'no tenant context'),
      queryFailed('XX000', 'cache lookup failed for relation 16384'),
    ]) {
      expect([isTenantContextMissing(other), isShardReplaced(other)]).toEqual([false, false]);
    }
  });

  it('answers with a 503 what the retry and the transaction did not cure: a replaced shard, a tenant that never reached the worker', () => {
    expect(isDatabaseUnavailable(queryFailed('XX000', 'could not find valid entry for shard 102047'))).toBe(true);
    expect(isDatabaseUnavailable(new TenantContextNotReachedError(queryFailed('22P02', '"no tenant context"')))).toBe(true);
    expect(isDatabaseUnavailable(queryFailed('22P02', 'invalid input syntax for type uuid: "no tenant context"'))).toBe(false);
  });
});
