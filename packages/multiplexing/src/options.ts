// The `multiplexing` key of a subscription group: what users write, its defaults, and the
// resolved form the connections plan and the scaler run with (built once, at construction).

export interface MultiplexingDefinition {
  /** Most connections (KafkaJS consumers) of the subscription group in this process, 1–64. Required. */
  max: number;
  /** Fewest connections a scaler keeps. Default `max` (static multiplexing). */
  min?: number;
  /** Connections at start, between `min` and `max`. Default `max` when `min = max`, else the middle (rounded up). */
  boot?: number;
  /**
   * Least time between two scaling steps, and how long a condition must hold before one (every
   * step rebalances the whole consumer group). ≥ 1000. Default 300000 (5 minutes). Alias `scale_delay_ms`.
   */
  scaleDelayMs?: number;
  scale_delay_ms?: number;
}

/** A subscription group's multiplexing, resolved. */
export interface ResolvedMultiplexing {
  readonly min: number;
  readonly max: number;
  readonly boot: number;
  readonly scaleDelayMs: number;
  /** min < max: a scaler adds and removes connections. */
  readonly dynamic: boolean;
}

export const MULTIPLEXING_LIMITS = { maxConnections: 64, minScaleDelayMs: 1000 } as const;

export const defaultMultiplexing = { scaleDelayMs: 300_000 } as const;
