/** `select * from tenant_get_order($1, $2)` -> the function it calls; parameters never reach a span. */
const FUNCTION_CALL = /^\s*select\s+(?:\*\s+from\s+)?([a-z_][a-z0-9_]*)\s*\(/i;
const FIRST_KEYWORD = /^\s*([a-z]+)/i;

/** A span name per statement, low in cardinality: the tenant function's name, or else the SQL command. */
export function statementSpanName(sql: string | undefined): string {
  const text = sql ?? '';
  const called = FUNCTION_CALL.exec(text)?.[1];
  if (called !== undefined) return `pg ${called.toLowerCase()}`;
  const command = FIRST_KEYWORD.exec(text)?.[1];
  return command === undefined ? 'pg query' : `pg ${command.toUpperCase()}`;
}
