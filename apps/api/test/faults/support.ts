import request from 'supertest';
import type { App } from 'supertest/types';
import { bearer, TEST_ADMIN_TOKEN, TestTenant } from '@app/testing';

/** Longest any request may take before the test calls it hung: a guard, not a measurement. */
export const HANG_GUARD_MS = 10_000;

export interface Observation {
  status: number;
  retryAfter?: string;
  elapsedMs: number;
}

export async function observe(server: App, path: string, token: string): Promise<Observation> {
  const started = Date.now();
  const response = await request(server).get(path).set(bearer(token)).timeout(HANG_GUARD_MS);
  return { status: response.status, retryAfter: response.headers['retry-after'], elapsedMs: Date.now() - started };
}

/** Polls until `check` passes or the attempts run out; returns whether it passed. */
export async function eventually(check: () => Promise<boolean>, attempts = 60, pauseMs = 500): Promise<boolean> {
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    if (await check().catch(() => false)) return true;
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
  return false;
}

export async function placementPort(server: App, tenant: TestTenant): Promise<number> {
  const response = await request(server).get(`/admin/tenants/${tenant.id}`).set(bearer(TEST_ADMIN_TOKEN)).expect(200);
  return response.body.placement.nodePort as number;
}

/** Prints what the clients saw, for the record of a fault run. */
export function report(label: string, observations: Observation[]): void {
  const statuses = observations.map((observation) => observation.status).join(',');
  const slowest = Math.max(0, ...observations.map((observation) => observation.elapsedMs));
  process.stdout.write(`[faults] ${label}: statuses ${statuses}; slowest ${slowest} ms\n`);
}
