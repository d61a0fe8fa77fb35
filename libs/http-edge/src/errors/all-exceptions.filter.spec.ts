import { ArgumentsHost, ConflictException, Logger } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { AllExceptionsFilter } from './all-exceptions.filter';
import { RateLimitedException, ValidationFailedException } from './exceptions';

function respond(exception: unknown) {
  const headers: Record<string, string> = {};
  let status = 0;
  let body: unknown;
  // Node's response, as middleware passes it; fastify's reply wraps the same calls.
  const response = {
    headersSent: false,
    setHeader: (name: string, value: string) => (headers[name] = value),
    writeHead(code: number) {
      status = code;
    },
    end(json: string) {
      body = JSON.parse(json);
    },
  };
  const request = { complete: true, edgeFacts: { requestId: 'req-1' } };
  const host = {
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }),
  } as unknown as ArgumentsHost;
  new AllExceptionsFilter().catch(exception, host);
  return { status, headers, body };
}

describe('AllExceptionsFilter', () => {
  it('answers a statement timeout with 503 and Retry-After, without SQL', () => {
    const error = new QueryFailedError(
      'SELECT secret FROM orders',
      [],
      Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }),
    );
    const { status, headers, body } = respond(error);
    expect(status).toBe(503);
    expect(headers['Retry-After']).toBe('2');
    expect(body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: expect.any(String), requestId: 'req-1' });
    expect(JSON.stringify(body)).not.toMatch(/SELECT|secret|statement timeout/);
  });

  it('answers an unknown error with 500 and nothing of its message', () => {
    const { status, body } = respond(new Error('relation "orders_secret" does not exist'));
    expect(status).toBe(500);
    expect(JSON.stringify(body)).not.toContain('orders_secret');
  });

  it('keeps details for validation errors only', () => {
    expect(respond(new ValidationFailedException([{ field: 'items[0].sku', message: 'too long' }])).body).toMatchObject({
      statusCode: 400,
      details: [{ field: 'items[0].sku', message: 'too long' }],
    });
    expect(respond(new ConflictException('Order is cancelled')).body).toEqual({
      statusCode: 409,
      error: 'Conflict',
      message: 'Order is cancelled',
      requestId: 'req-1',
    });
  });

  it('sets Retry-After on 429', () => {
    const { status, headers } = respond(new RateLimitedException(17));
    expect(status).toBe(429);
    expect(headers['Retry-After']).toBe('17');
  });

  describe('its log of a failure', () => {
    const secretRow = ['4c1e6a1e-7b1a-4e7e-9a43-0e2f7b9f1a11', 'Jane Secret', 'jane@example.com', 'sku-private-42'];
    const logged = (exception: unknown): string => {
      const lines: unknown[][] = [];
      const error = jest.spyOn(Logger.prototype, 'error').mockImplementation((...args: unknown[]) => void lines.push(args));
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation((...args: unknown[]) => void lines.push(args));
      try {
        respond(exception);
      } finally {
        error.mockRestore();
        warn.mockRestore();
      }
      expect(lines).toHaveLength(1);
      return JSON.stringify(lines[0]);
    };

    it('names the SQLSTATE, constraint and statement of a failed batch insert, never its parameters or row values', () => {
      const driverError = Object.assign(new Error(`duplicate key value violates unique constraint "orders_pkey"`), {
        code: '23505',
        constraint: 'orders_pkey',
        table: 'orders',
        detail: `Key (tenant_id, id)=(${secretRow[0]}, 7) already exists.`,
        severity: 'ERROR',
      });
      const failure = new QueryFailedError('INSERT INTO orders (tenant_id, note) SELECT * FROM unnest($1::uuid[], $2::text[])', [secretRow], driverError);
      const line = logged(failure);
      expect(line).toContain('23505');
      expect(line).toContain('orders_pkey');
      expect(line).toContain('INSERT INTO orders');
      for (const value of secretRow) expect(line).not.toContain(value);
      expect(line).not.toContain('already exists');
    });

    it("keeps the message of Citus's internal and connection errors, which name servers and states, not rows", () => {
      const line = logged(Object.assign(new Error('connection to the remote node 127.0.0.1:9702 failed'), { code: 'XX000', severity: 'ERROR' }));
      expect(line).toContain('connection to the remote node 127.0.0.1:9702 failed');
    });

    it('keeps the message of an unknown error out too: it may quote what it failed on', () => {
      const line = logged(new SyntaxError(`Unexpected token in JSON: "${secretRow[1]}"`));
      expect(line).toContain('SyntaxError');
      expect(line).not.toContain(secretRow[1]);
    });
  });
});
