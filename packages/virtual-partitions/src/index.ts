// Public entry of @decanter/virtual-partitions: parallel processing of one Kafka partition,
// never committing past an unprocessed offset. See docs/virtual-partitions.md.
export { virtualPartitions, VIRTUAL_PARTITIONS_FEATURE, type VirtualPartitionsDistributedEvent } from './feature';
export type { VirtualPartitionsDefinition, ResolvedVirtualPartitions } from './options';
export type { VirtualPartitionsStatistics } from './strategy';
export { byHeader, byKey, roundRobin, type BuiltInPartitioner, type PartitionableMessage, type Partitioner, type VirtualKey } from './distributors/partitioners';
export { hashReducer, stableHash, type Reducer } from './distributors/reducers';
export type { Distribution } from './distributors/distribution';
// what a commit's metadata says was processed ahead of its offset (for tools that inspect a group's commits)
export { decodeProcessedAhead } from './offset-metadata';
export { PartitionerFailedError, VirtualPartitionsErrorCodes, type VirtualPartitionsErrorCode } from './errors';
