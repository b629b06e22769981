// Jest globalTeardown of the cluster project: stops the cluster if this run's globalSetup started
// it (a cluster that already ran, or one given by KAFKA_CLUSTER_BROKERS, is left alone).
import { stopCluster } from './cluster';

export default async function clusterGlobalTeardown(): Promise<void> {
  if (process.env['DECANTER_STARTED_CLUSTER'] !== '1') return;
  await stopCluster();
  delete process.env['DECANTER_STARTED_CLUSTER'];
}
