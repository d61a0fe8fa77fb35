/** Where the bench finds the API and writes its results, and how it talks to the person running it. */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../..');
export const RESULTS = join(ROOT, 'bench', 'results');
/** BENCH_API_MAIN: another build of the API (an older commit's, for a before-and-after profile). */
export const MAIN_JS = process.env.BENCH_API_MAIN ?? join(ROOT, 'dist/apps/api/apps/api/src/main.js');
export const CONTROL_PLANE_JS = join(ROOT, 'dist/apps/control-plane/apps/control-plane/src/main.js');
export const PROBE = join(ROOT, 'bench/support/round-trip-probe.cjs');
/**
 * How long a storm client waits for its answer before counting an error. 1,000 clients on one
 * API process queue for seconds by construction; k6 waits 60 s by default, browsers longer.
 */
export const STORM_CLIENT_TIMEOUT_SEC = 30;
/** NODE_OPTIONS of the production image, read from the Dockerfile so the two cannot drift apart. */
export const PRODUCTION_NODE_OPTIONS = /^ENV NODE_OPTIONS=(.+)$/m.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))?.[1].trim() ?? '';

export const say = (message: string) => process.stdout.write(`${message}\n`);
export const loud = (message: string) => process.stdout.write(`\n${'#'.repeat(78)}\n##  ${message}\n${'#'.repeat(78)}\n\n`);
