import { DataSource } from 'typeorm';
import { inTransaction } from './transaction';

/** A query runner that records what would be sent to the database. */
function fakeDataSource(failOn?: string) {
  const sent: string[] = [];
  const runner = {
    isReleased: false,
    connect: jest.fn(),
    query: jest.fn((sql: string) => {
      sent.push(sql);
      if (sql === failOn) return Promise.reject(new Error('Connection terminated'));
      return Promise.resolve({ records: [] });
    }),
    release: jest.fn(() => {
      runner.isReleased = true;
      return Promise.resolve();
    }),
    releasePostgresConnection: jest.fn(() => {
      runner.isReleased = true;
      return Promise.resolve();
    }),
  };
  return { dataSource: { createQueryRunner: () => runner } as unknown as DataSource, runner, sent };
}

const serverError = () => Object.assign(new Error('duplicate key'), { severity: 'ERROR', code: '23505' });

describe('inTransaction: the one transaction helper', () => {
  it('sends the opening, the work and COMMIT on one connection, then pools it', async () => {
    const { dataSource, runner, sent } = fakeDataSource();
    expect(await inTransaction(dataSource, ['BEGIN'], async (tx) => (await tx.query('SELECT 1')) as unknown)).toEqual({ records: [] });
    expect(sent).toEqual(['BEGIN', 'SELECT 1', 'COMMIT']);
    expect(runner.release).toHaveBeenCalledTimes(1);
  });

  it('rolls back and pools the connection after a server-side error', async () => {
    const { dataSource, runner, sent } = fakeDataSource();
    const failure = serverError();
    await expect(inTransaction(dataSource, ['BEGIN'], () => Promise.reject(failure))).rejects.toBe(failure);
    expect(sent).toEqual(['BEGIN', 'ROLLBACK']);
    expect(runner.release).toHaveBeenCalledTimes(1);
    expect(runner.releasePostgresConnection).not.toHaveBeenCalled();
  });

  it('destroys the connection, without a rollback, after a client-side error', async () => {
    const { dataSource, runner, sent } = fakeDataSource();
    const timeout = new Error('Query read timeout');
    await expect(inTransaction(dataSource, ['BEGIN'], () => Promise.reject(timeout))).rejects.toBe(timeout);
    expect(sent).toEqual(['BEGIN']);
    expect(runner.releasePostgresConnection).toHaveBeenCalledWith(timeout);
    expect(runner.release).not.toHaveBeenCalled();
  });

  it('destroys the connection when the rollback itself fails', async () => {
    const { dataSource, runner } = fakeDataSource('ROLLBACK');
    const failure = serverError();
    await expect(inTransaction(dataSource, ['BEGIN'], () => Promise.reject(failure))).rejects.toBe(failure);
    expect(runner.releasePostgresConnection).toHaveBeenCalledWith(expect.objectContaining({ message: 'Connection terminated' }));
  });

  it('destroys the connection when COMMIT fails on the client side', async () => {
    const { dataSource, runner } = fakeDataSource('COMMIT');
    await expect(inTransaction(dataSource, ['BEGIN'], () => Promise.resolve(1))).rejects.toThrow('Connection terminated');
    expect(runner.releasePostgresConnection).toHaveBeenCalled();
  });
});
