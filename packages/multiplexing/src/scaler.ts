// Dynamic multiplexing (min < max): watches a subscription group's connections and adds or
// removes one, at most one step per `scaleDelayMs`, each decided on what held during the whole
// last `scaleDelayMs` (samples taken every fifth of it), because every step rebalances the whole
// consumer group:
// - up, when every connection holds more than one partition (so a new one gets some) and the
//   group was lagging (in each sample at least one poll, maxMessages, per connection behind what
//   it processed) or busy (jobs running on every connection in 90% of the samples);
// - down, a connection that held no partition in any sample (other processes took them), else
//   the group was idle (never lagging, busy in at most 10% of the samples): the last connection.
// Never below `min` or above `max`. Each step is an event with its reason.
import type { ConnectionsControl, ConnectionsScaler, ConnectionView } from '@decanter/consumer-core/features';
import { ScalingStepFailedError } from './errors';
import type { ResolvedMultiplexing } from './options';

export type ScaleUpReason = 'lagging' | 'busy';
export type ScaleDownReason = 'unassigned' | 'idle';

/** A scaling decision on the samples of one window. */
export type ScalingDecision = { step: 'up'; reason: ScaleUpReason } | { step: 'down'; reason: ScaleDownReason; connection: number } | null;

const BUSY_UP = 0.9;
const BUSY_IDLE = 0.1;

/**
 * What to do after a window of samples (each sample: every connection's view at one moment), or
 * null. `lagThreshold` is per connection: a sample lags when its total lag is at least that many
 * messages per connection.
 */
export function decide(samples: readonly (readonly ConnectionView[])[], settings: Pick<ResolvedMultiplexing, 'min' | 'max'>, lagThreshold: number): ScalingDecision {
  const latest = samples[samples.length - 1];
  if (latest === undefined || latest.length === 0) return null;
  // a rebalance in the window: the figures say nothing yet
  if (samples.some((s) => s.some((v) => v.rebalancing))) return null;
  const count = latest.length;
  const lags = (s: readonly ConnectionView[]): boolean => s.reduce((sum, v) => sum + v.lag, 0) >= lagThreshold * Math.max(1, s.length);
  const lagging = samples.every(lags);
  const busyShare = samples.filter((s) => s.every((v) => v.busy)).length / samples.length;
  const anyBusyShare = samples.filter((s) => s.some((v) => v.busy)).length / samples.length;
  if (count < settings.max && latest.every((v) => v.partitions > 1)) {
    if (lagging) return { step: 'up', reason: 'lagging' };
    if (busyShare >= BUSY_UP) return { step: 'up', reason: 'busy' };
  }
  if (count > settings.min) {
    const empty = latest.filter((v) => samples.every((s) => (s.find((x) => x.connection === v.connection)?.partitions ?? 0) === 0));
    if (empty.length > 0) return { step: 'down', reason: 'unassigned', connection: empty[empty.length - 1]!.connection };
    const idle = !samples.some(lags) && anyBusyShare <= BUSY_IDLE;
    if (idle) return { step: 'down', reason: 'idle', connection: latest[latest.length - 1]!.connection };
  }
  return null;
}

export class MultiplexingScaler implements ConnectionsScaler {
  readonly #control: ConnectionsControl;
  readonly #settings: ResolvedMultiplexing;
  readonly #timer: NodeJS.Timeout;
  /** Samples of the current window, each with when it was taken. */
  #samples: Array<{ at: number; views: ConnectionView[] }> = [];
  #windowStart = Date.now();
  #stepping = false;
  #stopped = false;

  constructor(control: ConnectionsControl, settings: ResolvedMultiplexing) {
    this.#control = control;
    this.#settings = settings;
    this.#timer = setInterval(() => this.#tick(), Math.max(100, Math.floor(settings.scaleDelayMs / 5)));
    this.#timer.unref();
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
  }

  #tick(): void {
    if (this.#stepping || this.#stopped) return;
    const now = Date.now();
    this.#samples.push({ at: now, views: this.#control.view() });
    // a window is the last scaleDelayMs, and it must be whole: since the last step, or the start
    this.#samples = this.#samples.filter((s) => s.at >= now - this.#settings.scaleDelayMs);
    if (now - this.#windowStart < this.#settings.scaleDelayMs) return;
    const decision = decide(
      this.#samples.map((s) => s.views),
      this.#settings,
      this.#control.group.maxMessages,
    );
    if (decision !== null) void this.#step(decision);
  }

  async #step(decision: Exclude<ScalingDecision, null>): Promise<void> {
    this.#stepping = true;
    const { group, monitor } = this.#control;
    const from = this.#control.view().length;
    const started = performance.now();
    const scope = { consumerGroup: group.consumerGroup, subscriptionGroup: group.id };
    try {
      if (decision.step === 'up') {
        const connection = await this.#control.add();
        if (connection !== null) {
          monitor.notify('multiplexing.scaled_up', { ...scope, connection, from, to: from + 1, reason: decision.reason, durationMs: performance.now() - started });
        }
      } else if (await this.#control.remove(decision.connection)) {
        monitor.notify('multiplexing.scaled_down', { ...scope, connection: decision.connection, from, to: from - 1, reason: decision.reason, durationMs: performance.now() - started });
      }
    } catch (error) {
      const step = decision.step === 'up' ? `adding a connection to ${from}` : `removing connection ${decision.connection} of ${from}`;
      monitor.notify('error.occurred', {
        type: 'multiplexing.scaling.error',
        error: new ScalingStepFailedError(`Scaling ${group.consumerGroup}/${group.id} failed (${step}, ${decision.reason}): tried again after another ${this.#settings.scaleDelayMs} ms`, {
          cause: error,
          context: scope,
        }),
        ...scope,
      });
    } finally {
      // refused (null / false), done or failed: the next decision needs a whole new window
      this.#samples = [];
      this.#windowStart = Date.now();
      this.#stepping = false;
    }
  }
}
