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
export { javaConsoleConsume, type ConsoleRecord } from './java-tools';
export { readJsonLines, startDecanterServer, type ServerProcess } from './decanter-server';
