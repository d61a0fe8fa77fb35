import { ValidationFailedException } from '../errors/exceptions';
import { decodeCursor, encodeCursor, toPage } from './pagination';

const isIdPosition = (value: Record<string, unknown>): value is { id: number } =>
  Number.isSafeInteger(value.id) && (value.id as number) > 0 && Object.keys(value).length === 1;

describe('cursors', () => {
  it('round-trips a position', () => {
    expect(decodeCursor('order', encodeCursor('order', { id: 42 }), isIdPosition)).toEqual({ id: 42 });
  });

  it.each(['', 'not base64!', Buffer.from('[1]').toString('base64url'), encodeCursor('tenant', { id: 42 }), encodeCursor('order', { id: -1 })])(
    'rejects %j with a 400 naming the cursor',
    (cursor) => {
      expect(() => decodeCursor('order', cursor, isIdPosition)).toThrow(ValidationFailedException);
    },
  );
});

describe('toPage', () => {
  it('uses the extra row only to decide on a next cursor', () => {
    const page = toPage(
      [5, 4, 3],
      2,
      (n) => ({ n }),
      (n) => `after-${n}`,
    );
    expect(page).toEqual({ data: [{ n: 5 }, { n: 4 }], nextCursor: 'after-4' });
  });

  it('ends with a null cursor', () => {
    expect(
      toPage(
        [1],
        2,
        (n) => n,
        () => 'x',
      ),
    ).toEqual({ data: [1], nextCursor: null });
  });
});
