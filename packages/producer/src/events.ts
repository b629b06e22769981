// The producer's instrumentation: a typed eventemitter3 map with dotted names. Produce events
// fire when the call returns (sync: acknowledged; async: queued) and carry `durationMs`; the
// request pair (`request.dispatched` / `request.completed`) tells how messages became Produce
// requests, which is what tests count. Listener errors never reach the producer: Monitor catches
// them and reports `error.occurred` with type `listener.failed`.
import { EventEmitter } from 'eventemitter3';
import type { CompressionCodecName, DeliveryReport, ProduceMessage } from './types';

/** What went wrong, for `error.occurred`. */
export type ProducerErrorType =
  | 'message.delivery' // a message finally failed (its handle rejects with the same error)
  | 'request.retrying' // a Produce request failed retriably and will be retried
  | 'offsets.retrying' // a transaction's sendOffsets met a group coordinator not ready yet, and will be retried
  | 'metadata.failed' // partition metadata could not be fetched
  | 'transaction.failed' // a transaction was aborted
  | 'listener.failed'; // an event listener threw

export interface ProducerEvents {
  /** produceSync returned: the message was acknowledged per the acks setting. */
  'message.produced_sync': (e: { producerId: string; message: ProduceMessage; durationMs: number }) => void;
  /** produceAsync returned: the message is queued. */
  'message.produced_async': (e: { producerId: string; message: ProduceMessage; durationMs: number }) => void;
  /** produceManySync returned: every message was acknowledged. */
  'messages.produced_sync': (e: { producerId: string; messages: readonly ProduceMessage[]; durationMs: number }) => void;
  /** produceManyAsync returned: every message is queued. */
  'messages.produced_async': (e: { producerId: string; messages: readonly ProduceMessage[]; durationMs: number }) => void;
  /** buffer() took a message into the application buffer. */
  'message.buffered': (e: { producerId: string; message: ProduceMessage; buffered: number }) => void;
  /** bufferMany() took messages into the application buffer. */
  'messages.buffered': (e: { producerId: string; messages: readonly ProduceMessage[]; buffered: number }) => void;
  /** flushSync() returned: the buffer was produced and acknowledged. */
  'buffer.flushed_sync': (e: { producerId: string; messages: readonly ProduceMessage[]; durationMs: number }) => void;
  /** flushAsync() returned: the buffer was queued. */
  'buffer.flushed_async': (e: { producerId: string; messages: readonly ProduceMessage[]; durationMs: number }) => void;
  /** The broker acknowledged one message (acks 0: the request was written); `durationMs` since it was queued. */
  'message.acknowledged': (e: { producerId: string; report: DeliveryReport; durationMs: number }) => void;
  /** A Produce request (one KafkaJS sendBatch to one leader) is about to be sent. */
  'request.dispatched': (e: RequestEvent) => void;
  /** A Produce request finished (successfully or not); `durationMs` since dispatch. */
  'request.completed': (e: RequestEvent & { durationMs: number; error: Error | null }) => void;
  /** connect() finished. */
  'producer.connected': (e: { producerId: string; durationMs: number }) => void;
  /** close() began: no more messages are accepted. */
  'producer.closing': (e: { producerId: string }) => void;
  /** close() finished: everything was flushed and the connections are closed. */
  'producer.closed': (e: { producerId: string; durationMs: number }) => void;
  /** Something failed; `type` says what. */
  'error.occurred': (e: ErrorEvent) => void;
}

export interface RequestEvent {
  producerId: string;
  /** Sequence number of the request within this producer (retries keep the number). */
  requestId: number;
  /** 1 for the first send, 2+ for retries. */
  attempt: number;
  /** Leader broker node id, or -1 when unknown. */
  leader: number;
  acks: 0 | 1 | -1;
  compression: CompressionCodecName;
  messageCount: number;
  /** One entry per topic-partition batch in the request. */
  batches: ReadonlyArray<{ topic: string; partition: number; messageCount: number; bytes: number }>;
}

export interface ErrorEvent {
  producerId: string;
  type: ProducerErrorType;
  error: Error;
  message?: ProduceMessage;
  topic?: string;
  partition?: number;
}

export type ProducerEventName = keyof ProducerEvents;
export type ProducerEventPayload<K extends ProducerEventName> = Parameters<ProducerEvents[K]>[0];

/** The producer's event emitter. `on()` of the producer returns an unsubscribe function. */
export class Monitor extends EventEmitter<ProducerEvents> {
  /** True when someone listens: lets the hot path skip building payloads nobody reads. */
  has(name: ProducerEventName): boolean {
    return this.listenerCount(name) > 0;
  }

  /** Calls every listener; one that throws is reported, never propagated. */
  notify<K extends ProducerEventName>(name: K, payload: ProducerEventPayload<K>): void {
    const listeners = this.listeners(name) as Array<(p: ProducerEventPayload<K>) => void>;
    for (const listener of listeners) {
      try {
        listener(payload);
      } catch (error) {
        if (name === 'error.occurred') continue; // never loop on a failing error listener
        const failed = error instanceof Error ? error : new Error(String(error));
        const producerId = (payload as { producerId: string }).producerId;
        this.notify('error.occurred', { producerId, type: 'listener.failed', error: failed });
      }
    }
  }
}
