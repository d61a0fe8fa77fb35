import { statementSpanName } from './statement-span-name';

describe('statementSpanName', () => {
  it('names a tenant function call after the function, without its arguments', () => {
    expect(statementSpanName('select * from tenant_get_order($1, $2)')).toBe('pg tenant_get_order');
    expect(statementSpanName('SELECT tenant_capture_payment($1,$2,$3)')).toBe('pg tenant_capture_payment');
  });

  it('names any other statement after its command', () => {
    expect(statementSpanName("BEGIN; SET LOCAL app.tenant_id = '6f1c…'")).toBe('pg BEGIN');
    expect(statementSpanName('  insert into orders (tenant_id) values ($1)')).toBe('pg INSERT');
    expect(statementSpanName('select id from orders where tenant_id = $1')).toBe('pg SELECT');
    expect(statementSpanName(undefined)).toBe('pg query');
  });
});
