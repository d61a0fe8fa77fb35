import { usePrettyLogs } from './logging';

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
