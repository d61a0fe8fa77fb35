import { acceptOrCreateRequestId } from './request-id';

describe('acceptOrCreateRequestId', () => {
  it('echoes a safe id', () => {
    expect(acceptOrCreateRequestId('req-123_abc.DEF:9')).toBe('req-123_abc.DEF:9');
    expect(acceptOrCreateRequestId('x'.repeat(128))).toBe('x'.repeat(128));
  });

  it.each(['', 'x'.repeat(129), 'has space', 'new\nline', '<script>', 'ünïcode', undefined, ['a', 'b']])('replaces %j with a generated UUID', (incoming) => {
    expect(acceptOrCreateRequestId(incoming)).toMatch(/^[0-9a-f-]{36}$/);
  });
});
