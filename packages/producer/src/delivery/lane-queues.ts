// The dispatcher's waiting room: sealed batches queue here per lane, one lane for each variant
// and leader broker, until a request takes them (take). It keeps a partition's batches in order,
// merges a batch into the newest queued one of its partition while that stays within the batch
// limits, and counts what waits, to tell the pipeline when a backlog builds up (checkBacklog).
// Which partitions have a request in flight, the requests themselves and their retries are the
// dispatcher's (dispatcher.ts).
import type { PartitionBatch } from '../batching/partition-batch';
import type { ProduceRecord } from '../batching/produce-record';
import type { VariantSettings } from './variant-settings';

export interface Lane {
  readonly variant: VariantSettings;
  readonly leader: number;
  readonly ready: PartitionBatch[];
  inFlight: number;
  /** The variant's index of waiting partitions (shared by its lanes). */
  readonly waiting: Map<string, Waiting>;
}

/** One variant's lanes by leader, and where its partitions' batches wait (by PartitionBatch.id). */
interface VariantQueues {
  readonly lanes: Map<number, Lane>;
  readonly waiting: Map<string, Waiting>;
}

/** The batches of one (variant, topic-partition) waiting in a lane, and the newest of them. */
interface Waiting {
  readonly lane: Lane;
  tail: PartitionBatch;
  count: number;
}

export interface LaneQueueSettings {
  maxInFlight: number;
  /** Upper bound of one request's payload; at least one batch always goes. */
  maxRequestBytes: number;
  /** Bounds of one record batch when queued batches of a partition are merged (batch.size, batch.num.messages). */
  batchSizeBytes: number;
  batchMaxMessages: number;
}

/** What the queues report back to the dispatcher. */
export interface LaneQueueEvents {
  /** A backlog built up (true) or cleared (false): see checkBacklog. */
  backlog(backlogged: boolean): void;
  /** Records whose deadline passed while they waited, taken out by take(): fail them. */
  expiredWhileWaiting(batch: PartitionBatch, records: ProduceRecord[]): void;
}

export class LaneQueues {
  /** Every lane, in creation order (drained in that order). */
  readonly lanes: Lane[] = [];
  private readonly variants = new Map<string, VariantQueues>();
  /** Records and bytes of the batches in lanes' `ready` (sealed, not yet in a request). */
  private readyRecords = 0;
  private readyBytes = 0;
  /** Topic-partitions (per variant) with batches in `ready`: the entries of every `waiting` map. */
  private waitingPartitions = 0;
  private backlogged = false;

  constructor(
    private readonly settings: LaneQueueSettings,
    private readonly events: LaneQueueEvents,
  ) {}

  /** Whether some lane has batches waiting. */
  get hasReady(): boolean {
    for (const lane of this.lanes) if (lane.ready.length > 0) return true;
    return false;
  }

  /** Queues a sealed batch (see Dispatcher.ready); the caller checks the backlog after. */
  add(batch: PartitionBatch, variant: VariantSettings): void {
    this.readyRecords += batch.records.length;
    this.readyBytes += batch.bytes;
    this.enqueue(batch, variant);
  }

  /** Checks the backlog again when there is one (after requests took batches). */
  recheckBacklog(): void {
    if (this.backlogged) this.checkBacklog();
  }

  /**
   * Runs `expire` over every waiting batch, drops the batches it emptied, and returns the
   * earliest deadline left (Infinity: none waits).
   */
  sweep(expire: (batch: PartitionBatch) => void): number {
    for (const lane of this.lanes) {
      if (lane.ready.length === 0) continue;
      const keep: PartitionBatch[] = [];
      for (const batch of lane.ready) {
        expire(batch);
        if (batch.records.length > 0) keep.push(batch);
        else this.unqueued(lane, batch);
      }
      lane.ready.length = 0;
      for (const batch of keep) lane.ready.push(batch);
    }
    // Counted afresh after the pass: a listener of the failures may have produced meanwhile.
    this.readyRecords = 0;
    this.readyBytes = 0;
    let next = Infinity;
    for (const lane of this.lanes) {
      for (const batch of lane.ready) {
        this.readyRecords += batch.records.length;
        this.readyBytes += batch.bytes;
        const first = batch.records[0];
        if (first !== undefined && first.deadline < next) next = first.deadline;
      }
    }
    this.checkBacklog();
    return next;
  }

  private enqueue(batch: PartitionBatch, variant: VariantSettings): void {
    let queues = this.variants.get(variant.key);
    if (queues === undefined) {
      queues = { lanes: new Map(), waiting: new Map() };
      this.variants.set(variant.key, queues);
    }
    const queued = queues.waiting.get(batch.id);
    if (queued !== undefined) {
      const tail = queued.tail;
      if (
        tail.bytes + batch.bytes <= this.settings.batchSizeBytes &&
        tail.records.length + batch.records.length <= this.settings.batchMaxMessages
      ) {
        tail.absorb(batch);
        return;
      }
      queued.lane.ready.push(batch);
      queued.tail = batch;
      queued.count += 1;
      return;
    }
    let lane = queues.lanes.get(batch.leader);
    if (lane === undefined) {
      lane = { variant, leader: batch.leader, ready: [], inFlight: 0, waiting: queues.waiting };
      queues.lanes.set(batch.leader, lane);
      this.lanes.push(lane);
    }
    lane.ready.push(batch);
    queues.waiting.set(batch.id, { lane, tail: batch, count: 1 });
    this.waitingPartitions += 1;
  }

  /** `batch` left `lane.ready` (taken into a request, or emptied by its deadline). */
  private unqueued(lane: Lane, batch: PartitionBatch): void {
    const queued = lane.waiting.get(batch.id);
    if (queued === undefined) return;
    queued.count -= 1;
    // A partition's batches leave in order, so its tail leaves last; never merge into one gone.
    if (queued.count === 0 || queued.tail === batch) {
      lane.waiting.delete(batch.id);
      this.waitingPartitions -= 1;
    }
  }

  /**
   * A backlog is more sealed records (or bytes) waiting than max.in.flight full requests can take:
   * a request carries one batch of each waiting partition, so that is max.in.flight x the waiting
   * partitions x batch.num.messages (or batch.size). More waiting cannot make the next requests
   * fuller, so the pipeline holds back new messages meanwhile.
   */
  checkBacklog(): void {
    const fullBatches = this.settings.maxInFlight * Math.max(1, this.waitingPartitions);
    const backlogged =
      this.readyRecords >= fullBatches * this.settings.batchMaxMessages ||
      this.readyBytes >= fullBatches * this.settings.batchSizeBytes;
    if (backlogged === this.backlogged) return;
    this.backlogged = backlogged;
    this.events.backlog(backlogged);
  }

  /**
   * The ready batches of the next request, oldest first. A topic-partition with a request in
   * flight waits until it completes, so batches of one partition are written in order even when
   * KafkaJS's asynchronous steps (metadata, compression, locks) would reorder two concurrent
   * sendBatch calls, and retries never overtake. For the same reason a request holds at most one
   * batch per topic-partition (KafkaJS would merge two into one record batch, which could outgrow
   * message.max.bytes). A batch left out of a full request holds back every later batch of its
   * partition. Returns [] when nothing can go now.
   */
  take(lane: Lane, sending: Set<string>): PartitionBatch[] {
    const ready = lane.ready;
    const maxRequestBytes = this.settings.maxRequestBytes;
    const taken: PartitionBatch[] = [];
    const left: PartitionBatch[] = [];
    /** Partitions whose later batches must wait because an earlier one does (order). */
    let held: Set<string> | undefined;
    /** Records whose deadline passed while they waited: failed here, never sent. */
    let due: Array<{ batch: PartitionBatch; records: ProduceRecord[] }> | undefined;
    let bytes = 0;
    const now = Date.now();
    for (const batch of ready) {
      const id = batch.id;
      if (
        !sending.has(id) &&
        (held === undefined || !held.has(id)) &&
        (taken.length === 0 || bytes + batch.bytes <= maxRequestBytes)
      ) {
        this.readyRecords -= batch.records.length;
        this.readyBytes -= batch.bytes;
        this.unqueued(lane, batch);
        if ((batch.records[0] as ProduceRecord).deadline <= now) {
          let expired = 1;
          while (expired < batch.records.length && (batch.records[expired] as ProduceRecord).deadline <= now)
            expired += 1;
          (due ??= []).push({ batch, records: batch.takeFirst(expired) });
          if (batch.records.length === 0) continue;
        }
        sending.add(id);
        bytes += batch.bytes;
        taken.push(batch);
        continue;
      }
      (held ??= new Set()).add(id);
      left.push(batch);
    }
    if (taken.length > 0 || due !== undefined) {
      ready.length = 0;
      for (const batch of left) ready.push(batch);
    }
    // After the lane is consistent again: a listener of the failures may produce.
    if (due !== undefined) for (const { batch, records } of due) this.events.expiredWhileWaiting(batch, records);
    return taken;
  }
}
