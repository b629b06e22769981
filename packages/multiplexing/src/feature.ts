// The multiplexing feature: `multiplexing()` registered with an App makes the `multiplexing` key
// of subscription groups valid (and typed), and plans their connections: `boot` at start and a
// scaler between `min` and `max` when they differ. Its connections use the core's sticky
// assigner, as every connection does: a scaling step moves about P/N partitions.
import type { SubscriptionGroup } from '@decanter/consumer-core';
import type { ConnectionsPlan, Feature } from '@decanter/consumer-core/features';
import { multiplexingRoute } from './contract';
import type { MultiplexingDefinition, ResolvedMultiplexing } from './options';
import { MultiplexingScaler, type ScaleDownReason, type ScaleUpReason } from './scaler';

declare module '@decanter/consumer-core' {
  interface SubscriptionGroupRouteExtensions {
    /** Several connections for this subscription group (needs `features: [multiplexing()]`). */
    multiplexing?: MultiplexingDefinition;
  }
  interface SubscriptionGroupSettings {
    /** The group's multiplexing, or null. */
    readonly multiplexing?: ResolvedMultiplexing | null;
  }
  interface AppEvents {
    /** Dynamic multiplexing started one more connection of a subscription group. */
    'multiplexing.scaled_up': (event: MultiplexingScaledEvent<ScaleUpReason>) => void;
    /** Dynamic multiplexing stopped a connection of a subscription group (after its jobs finished and it committed). */
    'multiplexing.scaled_down': (event: MultiplexingScaledEvent<ScaleDownReason>) => void;
  }
  interface ErrorTypeExtensions {
    'multiplexing.scaling.error': true;
  }
}

/** Payload of `multiplexing.scaled_up` / `multiplexing.scaled_down`. */
export interface MultiplexingScaledEvent<R extends string = ScaleUpReason | ScaleDownReason> {
  consumerGroup: string;
  subscriptionGroup: string;
  /** The connection started or stopped. */
  connection: number;
  /** Connections before and after the step. */
  from: number;
  to: number;
  reason: R;
  /** The step's time: the hold (running jobs finish, commits), the join (up) or the connection's drain, commit and leave (down), and the wait until the other connections have their new assignment. */
  durationMs: number;
}

export const MULTIPLEXING_FEATURE = 'multiplexing';

const plan: ConnectionsPlan = {
  connections: (group: SubscriptionGroup) => (group.multiplexing == null ? null : { boot: group.multiplexing.boot, min: group.multiplexing.min, max: group.multiplexing.max }),
  scaler: (group, control) => (group.multiplexing?.dynamic === true ? new MultiplexingScaler(control, group.multiplexing) : null),
};

/** The multiplexing feature, to register with `new App({ features: [multiplexing()] })`. */
export function multiplexing(): Feature {
  return { name: MULTIPLEXING_FEATURE, packageName: '@decanter/multiplexing', routes: [multiplexingRoute], connections: plan };
}
