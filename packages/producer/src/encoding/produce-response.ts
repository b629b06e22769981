// Decodes a Produce response, v3 to v8, into every partition's outcome. Unlike KafkaJS's own
// decoder (which throws the first partition error it meets), nothing is thrown for a partition
// error: each partition's error code is the caller's to act on, so one partition refused does
// not hide the others' offsets. Nothing here may depend on KafkaJS.
//
//   [topic STRING | [partition INT32 | error_code INT16 | base_offset INT64 |
//                    log_append_time_ms INT64 | log_start_offset INT64 (v5+) |
//                    record_errors [batch_index INT32 | message NULLABLE_STRING] (v8+) |
//                    error_message NULLABLE_STRING (v8+)]] | throttle_time_ms INT32

export interface ProducePartitionResult {
  readonly partition: number;
  /** 0 when the batch was written. */
  readonly errorCode: number;
  /** Offset of the batch's first record (decimal int64), "-1" on error (or acks 0). */
  readonly baseOffset: string;
  /** Broker time when the topic uses LogAppendTime, else "-1". */
  readonly logAppendTime: string;
  /** "-1" before v5. */
  readonly logStartOffset: string;
  /** v8: the broker's explanation, if any. */
  readonly errorMessage: string | null;
  /** v8: records of the batch that caused the error (their index in the batch). */
  readonly recordErrors: readonly { readonly batchIndex: number; readonly message: string | null }[];
}

export interface ProduceTopicResult {
  readonly topic: string;
  readonly partitions: readonly ProducePartitionResult[];
}

export interface ProduceResponse {
  readonly topics: readonly ProduceTopicResult[];
  /** How long the broker throttled (v6+: how long the client must now hold off), in ms. */
  readonly throttleTimeMs: number;
}

export function decodeProduceResponse(payload: Buffer, apiVersion: number): ProduceResponse {
  let at = 0;
  const int16 = (): number => {
    const v = payload.readInt16BE(at);
    at += 2;
    return v;
  };
  const int32 = (): number => {
    const v = payload.readInt32BE(at);
    at += 4;
    return v;
  };
  const int64 = (): string => {
    const v = payload.readBigInt64BE(at);
    at += 8;
    return v.toString();
  };
  const nullableString = (): string | null => {
    const length = int16();
    if (length < 0) return null;
    const v = payload.toString('utf8', at, at + length);
    at += length;
    return v;
  };

  const topics: ProduceTopicResult[] = [];
  for (let t = int32(); t > 0; t--) {
    const topic = nullableString() ?? '';
    const partitions: ProducePartitionResult[] = [];
    for (let p = int32(); p > 0; p--) {
      const partition = int32();
      const errorCode = int16();
      const baseOffset = int64();
      const logAppendTime = int64();
      const logStartOffset = apiVersion >= 5 ? int64() : '-1';
      const recordErrors: { batchIndex: number; message: string | null }[] = [];
      let errorMessage: string | null = null;
      if (apiVersion >= 8) {
        for (let r = int32(); r > 0; r--) recordErrors.push({ batchIndex: int32(), message: nullableString() });
        errorMessage = nullableString();
      }
      partitions.push({ partition, errorCode, baseOffset, logAppendTime, logStartOffset, errorMessage, recordErrors });
    }
    topics.push({ topic, partitions });
  }
  const throttleTimeMs = int32();
  return { topics, throttleTimeMs };
}
