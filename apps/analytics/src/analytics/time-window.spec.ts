import { ValidationFailedException } from '@app/http-edge';
import { resolveWindow } from './time-window';

const NOW = new Date('2025-03-15T12:34:56.789Z');

function fieldsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationFailedException);
    return (error as ValidationFailedException).details.map((detail) => detail.field);
  }
  throw new Error('expected a validation error');
}

describe('resolveWindow', () => {
  it('defaults to the 30 days before now', () => {
    expect(resolveWindow({}, NOW)).toEqual({ from: new Date('2025-02-13T12:34:56.789Z'), to: NOW });
  });

  it('defaults from to 30 days before an explicit to', () => {
    expect(resolveWindow({ to: '2025-01-31T00:00:00Z' }, NOW)).toEqual({
      from: new Date('2025-01-01T00:00:00Z'),
      to: new Date('2025-01-31T00:00:00Z'),
    });
  });

  it('reads offsets as instants', () => {
    expect(resolveWindow({ from: '2025-01-01T02:00:00+02:00', to: '2025-01-02T00:00:00Z' }, NOW).from).toEqual(new Date('2025-01-01T00:00:00Z'));
  });

  it('accepts a from with the default to when it is in the past', () => {
    expect(resolveWindow({ from: '2025-03-01T00:00:00Z' }, NOW)).toEqual({ from: new Date('2025-03-01T00:00:00Z'), to: NOW });
  });

  it.each([
    [{ from: '2025-01-02T00:00:00Z', to: '2025-01-01T00:00:00Z' }],
    [{ from: '2025-01-01T00:00:00Z', to: '2025-01-01T00:00:00Z' }],
    [{ from: '2025-01-01T01:00:00+01:00', to: '2025-01-01T00:00:00Z' }],
    [{ from: '2026-01-01T00:00:00Z' }],
  ])('refuses an empty or reversed window %j', (query) => {
    expect(fieldsOf(() => resolveWindow(query, NOW))).toEqual(['from']);
  });

  it('refuses instants PostgreSQL cannot hold', () => {
    expect(fieldsOf(() => resolveWindow({ from: '0000-06-01T00:00:00Z' }, NOW))).toEqual(['from']);
    expect(fieldsOf(() => resolveWindow({ to: '9999-12-31T23:00:00-02:00' }, NOW))).toEqual(['to']);
  });
});
