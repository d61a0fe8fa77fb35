import { QueryFailedError } from 'typeorm';

export interface LoggableError {
  type: string;
  sqlstate?: string;
  /** Only for server-side classes whose messages name servers and states, never row values: internal (XX), connection (08), operator intervention (57). */
  message?: string;
  constraint?: string;
  table?: string;
  statement?: string;
  /** Stack frames only: the first line of a stack repeats the message, which may quote row values. */
  frames?: string[];
}

const STATEMENT_HEAD = /^\s*(?:SELECT\s+\*\s+FROM\s+(\w+)|(INSERT\s+INTO|UPDATE|DELETE\s+FROM|COPY)\s+(\w+)|(\w+))/i;

/** A statement's name: the function it calls or the verb and table it writes, never its values. */
export function statementName(sql: string): string | undefined {
  const match = STATEMENT_HEAD.exec(sql);
  if (!match) return undefined;
  if (match[1]) return match[1];
  if (match[2]) return `${match[2].replace(/\s+/g, ' ').toUpperCase()} ${match[3]}`;
  return match[4].toUpperCase();
}

/**
 * What an error log may say of a failure: SQLSTATE, constraint, table, statement name and code location. Never the
 * message, detail, query parameters or row values, which TypeORM's QueryFailedError and PostgreSQL's errors carry.
 */
export function loggableError(error: unknown): LoggableError {
  if (typeof error !== 'object' || error === null) return { type: typeof error };
  const driverError: unknown = error instanceof QueryFailedError ? error.driverError : error;
  const field = (name: string): string | undefined => {
    const value = (driverError as Record<string, unknown>)[name];
    return typeof value === 'string' ? value : undefined;
  };
  const query = error instanceof QueryFailedError ? error.query : undefined;
  const sqlstate = field('code');
  const stack = (error as { stack?: unknown }).stack;
  return {
    type: error.constructor.name,
    sqlstate,
    message: sqlstate && /^(XX|08|57)/.test(sqlstate) ? field('message') : undefined,
    constraint: field('constraint'),
    table: field('table'),
    statement: query ? statementName(query) : undefined,
    frames:
      typeof stack === 'string'
        ? stack
            .split('\n')
            .filter((line) => line.trimStart().startsWith('at '))
            .slice(0, 8)
            .map((line) => line.trim())
        : undefined,
  };
}
