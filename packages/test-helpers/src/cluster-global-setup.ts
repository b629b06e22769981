// Jest globalSetup of the cluster project: starts the three-broker cluster (scripts/kafka start
// --nodes 3) unless KAFKA_CLUSTER_BROKERS says it is run from outside, and waits until it is
// healthy. Without KAFKA_CLUSTER_PORT it picks the base port (19092, or the next free one when
// another checkout's cluster holds it) and passes it on to the test files and the teardown in
// process.env. Only Jest runs that include cluster tests get here (`--selectProjects unit` never).
// Never leaves a cluster it started running when it fails.
import { awaitHealthyCluster, clusterBrokers, clusterRunning, pickClusterBasePort, startCluster, stopCluster } from './cluster';

export default async function clusterGlobalSetup(): Promise<void> {
  const external = (process.env['KAFKA_CLUSTER_BROKERS'] ?? '').trim() !== '';
  let started = false;
  try {
    if (!external) {
      if ((process.env['KAFKA_CLUSTER_PORT'] ?? '').trim() === '') process.env['KAFKA_CLUSTER_PORT'] = String(await pickClusterBasePort());
      if (!(await clusterRunning())) {
        const startedAt = Date.now();
        started = true;
        await startCluster();
        // read by the teardown (same process): stop only what this run started
        process.env['DECANTER_STARTED_CLUSTER'] = '1';
        process.stdout.write(`\ncluster: started ${clusterBrokers().join(',')} in ${Date.now() - startedAt} ms\n`);
      }
    }
    await awaitHealthyCluster(120_000);
  } catch (error) {
    if (started) await stopCluster().catch(() => undefined);
    throw error;
  }
}
