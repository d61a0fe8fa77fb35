import pino from 'pino';
import { logAccess, PinoNestLogger, usePrettyLogs } from './logging';

describe('log format', () => {
  it.each([
    ['a terminal in development', { LOG_FORMAT: 'auto', NODE_ENV: undefined }, true, true],
    ['a terminal in production', { LOG_FORMAT: 'auto', NODE_ENV: 'production' }, true, false],
    ['a pipe or a file in development', { LOG_FORMAT: 'auto', NODE_ENV: undefined }, false, false],
    ['LOG_FORMAT=json on a terminal', { LOG_FORMAT: 'json', NODE_ENV: undefined }, true, false],
    ['LOG_FORMAT=pretty into a pipe', { LOG_FORMAT: 'pretty', NODE_ENV: 'production' }, false, true],
  ] as const)('%s', (_name, environment, terminal, pretty) => {
    expect(usePrettyLogs(environment, terminal)).toBe(pretty);
  });
});

describe('logging through pino', () => {
  function capture(level = 'info') {
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    return { logger, lines };
  }

  function finish(logger: pino.Logger, url: string, statusCode: number) {
    const request = { method: 'GET', url, headers: {} };
    const facts = { requestId: 'req-1', serverRequestId: 'server-1', clientRequestId: 'req-1', routeTemplate: undefined };
    logAccess(logger, request as never, facts, { statusCode } as never, 12.4);
  }

  it('writes one access line per request, at a level that follows the status', () => {
    const { logger, lines } = capture();
    finish(logger, '/v1/orders/1', 200);
    finish(logger, '/v1/orders/2', 404);
    finish(logger, '/v1/orders/3', 503);
    finish(logger, '/v1/orders/4', 429);
    expect(lines.map((line) => [line.level, line.msg, (line.req as { url: string }).url, (line.res as { statusCode: number }).statusCode])).toEqual([
      [30, 'request completed', '/v1/orders/1', 200],
      [40, 'request completed', '/v1/orders/2', 404],
      [50, 'request completed', '/v1/orders/3', 503],
      [30, 'request completed', '/v1/orders/4', 429],
    ]);
    expect(lines[0].req).toEqual({ id: 'req-1', serverId: 'server-1', method: 'GET', url: '/v1/orders/1' });
    expect(lines[0].responseTime).toBe(12);
  });

  it('leaves out probes, scrapes and levels that are off', () => {
    const { logger, lines } = capture('warn');
    finish(logger, '/health/ready', 503);
    finish(logger, '/metrics', 500);
    finish(logger, '/v1/orders', 200);
    expect(lines).toEqual([]);
  });

  it("gives Nest's own lines to pino with their context, merging an object message", () => {
    const { logger, lines } = capture();
    const nest = new PinoNestLogger(logger);
    nest.log('Nest application successfully started', 'NestApplication');
    nest.error({ requestId: 'req-2' }, 'unhandled error', 'Exceptions');
    nest.debug('not at info');
    expect(lines.map(({ level, msg, context, requestId }) => ({ level, msg, context, requestId }))).toEqual([
      { level: 30, msg: 'Nest application successfully started', context: 'NestApplication', requestId: undefined },
      { level: 50, msg: 'unhandled error', context: 'Exceptions', requestId: 'req-2' },
    ]);
  });
});
