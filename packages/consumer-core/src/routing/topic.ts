import type { ResolvedFetchSettings } from './fetch-settings';
import type { TopicSettings } from './route-extension';
import type { BuiltInDeserializer } from './routes';

/** A consumer class located on disk: `module` is the resolved file, `export` the export name. */
export interface ResolvedReference {
  readonly module: string;
  readonly export: string;
}

/** One routed topic, resolved: every default applied, the consumer module found on disk; features' settings under their fields (TopicSettings). */
export interface Topic extends TopicSettings {
  readonly name: string;
  readonly consumerGroup: string;
  readonly subscriptionGroup: string;
  readonly consumer: ResolvedReference;
  readonly maxMessages: number;
  readonly maxWaitTimeMs: number;
  readonly initialOffset: 'earliest' | 'latest';
  readonly deserializer: BuiltInDeserializer | ResolvedReference;
  readonly active: boolean;
  readonly fetch: ResolvedFetchSettings;
  /** Where the route was defined, e.g. `routes[0].topics[2]` — used in error messages. */
  readonly routePath: string;
}

export type { ResolvedDeadLetterQueue } from '../features/dead-letter-queue/contract';
