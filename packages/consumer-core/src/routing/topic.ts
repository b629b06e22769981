import type { ResolvedFetchSettings } from '../options';
import type { BuiltInDeserializer } from './routes';

/** A consumer class located on disk: `module` is the resolved file, `export` the export name. */
export interface ResolvedReference {
  readonly module: string;
  readonly export: string;
}

/** One routed topic, resolved: every default applied, the consumer module found on disk. */
export interface Topic {
  readonly name: string;
  readonly consumerGroup: string;
  readonly subscriptionGroup: string;
  readonly consumer: ResolvedReference;
  readonly maxMessages: number;
  readonly maxWaitTimeMs: number;
  readonly initialOffset: 'earliest' | 'latest';
  readonly deserializer: BuiltInDeserializer | ResolvedReference;
  readonly active: boolean;
  readonly manualOffsetManagement: boolean;
  readonly fetch: ResolvedFetchSettings;
  /** Where the route was defined, e.g. `routes[0].topics[2]` — used in error messages. */
  readonly routePath: string;
  /** Dead letter queue of the route, or null (failing messages are retried forever). */
  readonly deadLetterQueue?: ResolvedDeadLetterQueue | null;
  /** Interval of the periodic `tick()`, ms, or null when the route is not periodic. */
  readonly periodicIntervalMs?: number | null;
}

export interface ResolvedDeadLetterQueue {
  readonly topic: string;
  readonly maxRetries: number;
  readonly independent: boolean;
}
