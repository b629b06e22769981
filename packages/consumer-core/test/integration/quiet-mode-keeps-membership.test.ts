// Claim: App.quiet() (what SIGTSTP does under `decanter server`) lets running work finish, then
// hands out no new work while the app stays a member of its consumer group; stop() still
// shuts down gracefully from the quiet state.
import { createTopic, deleteTopics, disconnectSharedAdmin, sharedAdmin, sleep, uniqueTopicName, waitUntil } from '@decanter/test-helpers';
import { App, type AppState } from '@decanter/consumer-core';
import { baseKafka, disconnectProducer, processed, produce, recordingConsumer, spread } from './support';

const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(topics);
  await disconnectProducer();
  await disconnectSharedAdmin();
});

test('quiet mode: no new work, group membership kept', async () => {
  const topic = await createTopic('cc-quiet', { partitions: 2 });
  topics.push(topic);
  const group = uniqueTopicName('cc-quiet-group');
  await produce(topic, spread(10, 2));
  const app = new App({
    kafka: baseKafka(group),
    concurrency: 2,
    maxMessages: 10,
    maxWaitTimeMs: 50,
    routes: [{ topics: [{ topic, consumer: recordingConsumer }] }],
  });
  const states: AppState[] = [];
  app.on('app.state.changed', (e) => states.push(e.to));
  await app.start();
  try {
    await waitUntil('10 processed messages', () => processed(topic).length >= 10, { timeoutMs: 20_000 });
    await app.quiet();
    expect(app.state).toBe('quiet');
    await produce(topic, spread(10, 2, { n: 1_000 } as never));
    await sleep(1_500);
    expect(processed(topic)).toHaveLength(10);
    const [described] = (await (await sharedAdmin()).describeGroups([group])).groups;
    expect(described!.state).toBe('Stable');
    expect(described!.members).toHaveLength(1);
  } finally {
    await app.stop();
  }
  expect(states).toEqual(['starting', 'running', 'quieting', 'quiet', 'stopping', 'stopped']);
});
