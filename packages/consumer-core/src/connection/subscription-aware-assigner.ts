// The partition assigner every Decanter listener uses. Subscription groups of one consumer group
// are separate KafkaJS consumers in the same Kafka group that subscribe to DIFFERENT topics.
// KafkaJS's RoundRobinAssigner hands every topic the leader knows to every member, whether the
// member subscribed to it or not (the member then drops it and the partition is never consumed).
// This assigner reads each member's subscription from its metadata and spreads each topic's
// partitions round-robin over the members subscribed to that topic only.
import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

export const SUBSCRIPTION_AWARE_ASSIGNER = 'DecanterRoundRobinAssigner';

export const subscriptionAwareAssigner: PartitionAssigner = ({ cluster }) => ({
  name: SUBSCRIPTION_AWARE_ASSIGNER,
  version: 0,
  async assign({ members }) {
    const subscriptions = new Map<string, string[]>();
    for (const member of members) {
      const metadata = AssignerProtocol.MemberMetadata.decode(member.memberMetadata);
      for (const topic of metadata?.topics ?? []) subscriptions.set(topic, [...(subscriptions.get(topic) ?? []), member.memberId]);
    }
    // the leader only has metadata for its own topics: load the others' too
    await cluster.addMultipleTargetTopics([...subscriptions.keys()]);
    const assignment = new Map<string, Record<string, number[]>>(members.map((m) => [m.memberId, {}]));
    let turn = 0;
    for (const topic of [...subscriptions.keys()].sort()) {
      const subscribers = (subscriptions.get(topic) ?? []).sort();
      const partitions = cluster
        .findTopicPartitionMetadata(topic)
        .map((p) => p.partitionId)
        .sort((a, b) => a - b);
      for (const partition of partitions) {
        const memberId = subscribers[turn++ % subscribers.length];
        if (memberId === undefined) continue;
        const mine = assignment.get(memberId)!;
        (mine[topic] ??= []).push(partition);
      }
    }
    return [...assignment].map(([memberId, topics]) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 0, assignment: topics, userData: Buffer.alloc(0) }),
    }));
  },
  protocol({ topics }) {
    return { name: SUBSCRIPTION_AWARE_ASSIGNER, metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }) };
  },
});
