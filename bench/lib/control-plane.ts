import { join } from 'node:path';
import { freePort } from '@app/testing';
import { ApiProcess, startApi } from './api-process';
import { CONTROL_PLANE_JS, PROBE, ROOT } from './setup';

/** The control plane beside the API under test, on the same database: the benches create, isolate and delete tenants through it. */
export async function startControlPlane(env: NodeJS.ProcessEnv, work: string, name = 'control-plane'): Promise<ApiProcess> {
  const port = await freePort();
  return startApi({
    name,
    mainJs: CONTROL_PLANE_JS,
    probe: PROBE,
    port,
    env: { ...env, CONTROL_PLANE_PORT: String(port) },
    logFile: join(work, `${name}.log`),
    cwd: ROOT,
  });
}
