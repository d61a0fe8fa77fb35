import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '../../../..');

/**
 * `npm run chaos` for 60 seconds with a fixed seed, on a cluster of its own: every acknowledged write is there exactly once, no order
 * is overpaid, every 200 is the asking tenant's data, and every status is one of the contract's (503 with Retry-After).
 */
describe('random crashes under load (npm run chaos, 60 s, seeded)', () => {
  it('loses, duplicates and leaks nothing, and answers only with the contract statuses', () => {
    const run = spawnSync('npx', ['ts-node', '--transpile-only', '-r', 'tsconfig-paths/register', 'bench/chaos.ts'], {
      cwd: ROOT,
      env: { ...process.env, CHAOS_SECONDS: '60', CHAOS_SEED: '4242', CHAOS_RESULT_NAME: 'chaos-ci.json' },
      encoding: 'utf8',
      timeout: 480_000,
    });
    const result = JSON.parse(readFileSync(join(ROOT, 'bench/results/chaos-ci.json'), 'utf8'));
    process.stdout.write(
      `[faults] chaos seed ${result.seed}: ${JSON.stringify(result.acknowledged)} acknowledged; faults ${result.faults.map((fault: { kind: string }) => fault.kind).join(', ')}; lost ${result.lost}, duplicated ${result.duplicated}, unexpected ${result.unexpectedStatuses}\n`,
    );
    expect(result.faults.length).toBeGreaterThanOrEqual(3);
    expect(result.acknowledged.orders).toBeGreaterThan(100);
    expect({
      lost: result.lost,
      duplicated: result.duplicated,
      overpaid: result.overpaid,
      paidMismatch: result.paidMismatch,
      foreignReads: result.foreignReads,
      unexpected: result.unexpected,
      analyticsMismatches: result.analyticsMismatches,
    }).toEqual({ lost: 0, duplicated: 0, overpaid: 0, paidMismatch: 0, foreignReads: 0, unexpected: [], analyticsMismatches: 0 });
    expect(result.analytics.length).toBeGreaterThan(0);
    expect(result.faults.every((fault: { recoveredMs: number | null }) => fault.recoveredMs !== null)).toBe(true);
    expect(run.status).toBe(0);
  }, 600_000);
});
