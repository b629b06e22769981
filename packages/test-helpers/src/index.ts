export { brokers } from './brokers';
export { probeBroker } from './probe';
export {
  createTopic,
  deleteTopics,
  disconnectSharedAdmin,
  sharedAdmin,
  topicMessageCount,
  uniqueTopicName,
  type CreateTopicOptions,
} from './topics';
export { ownBroker, type OwnBroker } from './own-broker';
export { secureListener, type SecureListener } from './secure-listener';
export { sleep, waitUntil, type WaitUntilOptions } from './wait-until';
export { javaConsoleConsume, javaDescribeProducers, type BrokerProducerState, type ConsoleRecord } from './java-tools';
export { readJsonLines, startDecanterServer, type ServerProcess } from './decanter-server';
export {
  awaitHealthyCluster,
  awaitNewLeader,
  clusterBasePort,
  clusterBrokers,
  clusterRunDir,
  clusterRunning,
  clusterSize,
  createClusterTopic,
  groupCoordinatorOf,
  holdCluster,
  killNode,
  leaderOf,
  partitionStates,
  pauseNode,
  pickClusterBasePort,
  restoreCluster,
  resumeNode,
  signalNode,
  startCluster,
  startNode,
  stopCluster,
  stopNode,
  withClusterAdmin,
  type PartitionState,
} from './cluster';
