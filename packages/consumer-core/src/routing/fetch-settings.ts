// The fetch-level settings of a subscription group (the `kafka` block's fetch keys, resolved;
// topics may override them, and topics with different values get their own subscription group).
// Routing owns this type so that the routing tree never depends on the App's options.

/** Fetch-level settings, resolved per subscription group (topics may override them). */
export interface ResolvedFetchSettings {
  readonly fetchWaitMaxMs: number;
  readonly fetchMinBytes: number;
  readonly fetchMessageMaxBytes: number;
  readonly fetchMaxBytes: number;
  readonly queuedMaxMessagesKbytes: number;
  readonly enablePartitionEof: boolean;
}
