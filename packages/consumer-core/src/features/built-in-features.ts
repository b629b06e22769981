// The features every App registers by default, in the order their hook jobs are asked for: a
// partition at its end gets eofed() before a periodic tick() is considered.
import { deadLetterQueue } from './dead-letter-queue/feature';
import type { Feature } from './feature';
import { manualOffsetManagement } from './manual-offsets/feature';
import { partitionEof } from './partition-eof/feature';
import { periodicTicks } from './periodic-ticks/feature';

export function builtInFeatures(): Feature[] {
  return [partitionEof(), periodicTicks(), deadLetterQueue(), manualOffsetManagement()];
}
