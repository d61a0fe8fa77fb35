import { analyticsQueries, lastDays, splitWindow } from './analytics-queries';

const at = (iso: string) => new Date(iso);

describe('splitWindow', () => {
  it('answers the whole UTC days from the rollup and the partial ones around them from the orders', () => {
    expect(splitWindow({ from: at('2025-01-01T10:00:00Z'), to: at('2025-01-05T06:30:00.123Z') })).toEqual({
      from: '2025-01-01T10:00:00.000Z',
      to: '2025-01-05T06:30:00.123Z',
      wholeFrom: '2025-01-02T00:00:00.000Z',
      firstDay: '2025-01-02',
      wholeTo: '2025-01-05T00:00:00.000Z',
      endDay: '2025-01-05',
    });
  });

  it('keeps bounds that fall on midnight as whole days', () => {
    const split = splitWindow({ from: at('2025-01-01T00:00:00Z'), to: at('2025-01-03T00:00:00Z') });
    expect([split.firstDay, split.endDay, split.wholeFrom, split.wholeTo]).toEqual([
      '2025-01-01',
      '2025-01-03',
      '2025-01-01T00:00:00.000Z',
      '2025-01-03T00:00:00.000Z',
    ]);
  });

  it.each([
    ['within one day', '2025-01-01T01:00:00Z', '2025-01-01T23:00:00Z'],
    ['across one midnight', '2025-01-01T12:00:00Z', '2025-01-02T12:00:00Z'],
  ])('has no whole day %s: everything comes from the edges', (_case, from, to) => {
    const split = splitWindow({ from: at(from), to: at(to) });
    expect(split.wholeFrom).toBe(split.to);
    expect(split.wholeTo).toBe(split.to);
    expect(split.firstDay).toBe(split.endDay);
  });
});

describe('lastDays', () => {
  it('lists the UTC days ending today, oldest first', () => {
    expect(lastDays(3, at('2025-03-01T23:59:59.999Z'))).toEqual(['2025-02-27', '2025-02-28', '2025-03-01']);
    expect(lastDays(1, at('2024-12-31T00:00:00Z'))).toEqual(['2024-12-31']);
  });
});

describe('analyticsQueries', () => {
  const window = { from: at('2025-01-01T10:00:00Z'), to: at('2025-01-05T06:30:00Z') };

  it('passes the watermark through as text, keeping its microseconds', () => {
    const query = analyticsQueries.revenueByCountry.rollup(window, '2025-01-05 06:00:00.123456+00');
    expect(query.values[6]).toBe('2025-01-05 06:00:00.123456+00');
    expect(query.text).toContain('o.updated_at >= $7::timestamptz');
  });

  it('puts tenant_id first in every leg of the union, so Citus can push it down to the shards', () => {
    const queries = [
      analyticsQueries.revenueByCountry.rollup(window, '-infinity'),
      analyticsQueries.topTenants.rollup(window, 10, '-infinity'),
      analyticsQueries.daily.rollup(['2025-01-01', '2025-01-02'], '-infinity'),
    ];
    for (const { text } of queries) {
      const legs = text.split('UNION ALL');
      expect(legs.length).toBeGreaterThanOrEqual(2);
      for (const leg of legs) expect(leg).toMatch(/SELECT (s|o)\.tenant_id,/);
    }
  });

  it('numbers every parameter it passes', () => {
    const cases = [
      analyticsQueries.revenueByCountry.rollup(window, '-infinity'),
      analyticsQueries.revenueByCountry.raw(window),
      analyticsQueries.topTenants.rollup(window, 10, '-infinity'),
      analyticsQueries.topTenants.raw(window, 10),
      analyticsQueries.daily.rollup(['2025-01-01'], '-infinity'),
      analyticsQueries.daily.raw(['2025-01-01']),
    ];
    for (const { text, values } of cases) {
      const used = new Set([...text.matchAll(/\$(\d+)/g)].map((match) => Number(match[1])));
      expect([...used].sort((left, right) => left - right)).toEqual(values.map((_, index) => index + 1));
    }
  });

  it('counts the days of daily as one half-open range of instants', () => {
    expect(analyticsQueries.daily.raw(['2025-01-30', '2025-01-31']).values).toEqual(['2025-01-30T00:00:00.000Z', '2025-02-01T00:00:00.000Z']);
  });
});
