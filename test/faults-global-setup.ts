import globalSetup from './global-setup';

/** The faults suite kills processes: on a cluster that acknowledges commits before they are durable, it would measure nothing. */
export default async function faultsGlobalSetup(): Promise<void> {
  await globalSetup();
  const { assertDurableCluster, testEndpoints } = await import('@app/testing');
  await assertDurableCluster(testEndpoints().owner);
}
