import { QueryFailedError } from 'typeorm';
import { isDatabaseUnavailable, isShardMovedMidCall } from './database-errors';

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
  });

  it('does not hide real bugs or constraint violations as unavailability', () => {
    expect(isDatabaseUnavailable(queryFailed('23505', 'duplicate key'))).toBe(false);
    expect(isDatabaseUnavailable(queryFailed('42P01', 'relation does not exist'))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError('x is undefined'))).toBe(false);
    expect(isDatabaseUnavailable('not an error')).toBe(false);
  });
});

describe('isShardMovedMidCall', () => {
  it("recognises the policies' error and Citus's vanished shard, and no other error", () => {
    expect(isShardMovedMidCall(queryFailed('22P02', 'invalid input syntax for type uuid: "no tenant context"'))).toBe(true);
    expect(isShardMovedMidCall(queryFailed('XX000', 'could not find valid entry for shard 102047'))).toBe(true);
    expect(isShardMovedMidCall(queryFailed('22P02', 'invalid input syntax for type uuid: "abc"'))).toBe(false);
    expect(isShardMovedMidCall(queryFailed('42501', 'no tenant context'))).toBe(false);
    expect(isShardMovedMidCall(queryFailed('XX000', 'cache lookup failed for relation 16384'))).toBe(false);
  });

  it('answers a vanished shard that a retry did not cure with a 503', () => {
    expect(isDatabaseUnavailable(queryFailed('XX000', 'could not find valid entry for shard 102047'))).toBe(true);
  });
});
