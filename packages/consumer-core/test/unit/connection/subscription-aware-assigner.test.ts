import { AssignerProtocol, type Cluster } from 'kafkajs';
import { subscriptionAwareAssigner } from '../../../src/connection/subscription-aware-assigner';

const partitions: Record<string, number> = { a: 4, b: 2 };
const cluster = {
  addMultipleTargetTopics: jest.fn(async () => undefined),
  findTopicPartitionMetadata: (topic: string) => Array.from({ length: partitions[topic] ?? 0 }, (_, partitionId) => ({ partitionId })),
} as unknown as Cluster;

const member = (memberId: string, topics: string[]) => ({
  memberId,
  memberMetadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }),
});

async function assign(members: Array<ReturnType<typeof member>>): Promise<Record<string, Record<string, number[]>>> {
  const assigner = subscriptionAwareAssigner({ cluster, groupId: 'g', logger: {} as never });
  const result = await assigner.assign({ members, topics: [] });
  return Object.fromEntries(result.map((r) => [r.memberId, AssignerProtocol.MemberAssignment.decode(r.memberAssignment)!.assignment]));
}

test('each topic goes only to the members subscribed to it (subscription groups of one consumer group)', async () => {
  const result = await assign([member('m-a', ['a']), member('m-b', ['b'])]);
  expect(result).toEqual({ 'm-a': { a: [0, 1, 2, 3] }, 'm-b': { b: [0, 1] } });
  expect(cluster.addMultipleTargetTopics).toHaveBeenCalledWith(['a', 'b']);
});

test('members with the same subscription share its partitions round-robin', async () => {
  const result = await assign([member('m2', ['a']), member('m1', ['a'])]);
  expect(result).toEqual({ m1: { a: [0, 2] }, m2: { a: [1, 3] } });
});
