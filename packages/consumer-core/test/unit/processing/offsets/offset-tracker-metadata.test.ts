// Claim: the offset tracker carries a ledger's commit metadata to the commit and back. pending()
// gives { topic, partition, offset, metadata } as the ledger writes it; once committed(entries)
// recorded it, nothing is pending until the offset or the metadata changes. Metadata longer than
// the tracker's cap (Kafka's offset.metadata.max.bytes, counted in UTF-8 BYTES, not characters) is
// dropped — the entry has no metadata key — while the offset is still committed, and a dropped
// metadata does not keep the partition pending once that offset is committed. restore() hands
// the group's committed offset and metadata to the ledger and records the committed offset, so
// the same offset and metadata are not committed again. metadataRefused(entries) — the broker
// refused a commit's metadata as too large — counts each entry's metadata as dropped on its
// ledger and lowers the cap below the shortest of them. A test ledger writes the metadata
// (support/metadata-ledger.ts). No broker.
import { DEFAULT_OFFSET_METADATA_MAX_BYTES, OffsetTracker } from '../../../../src/processing/offsets/offset-tracker';
import { MetadataLedger } from './support/metadata-ledger';

const TOPIC = 't';
const CAP = 12;

/** A tracker owning TOPIC-0 through a MetadataLedger, with 0..9 processed (mark 10). */
function marked(metadataMaxBytes?: number) {
  const tracker = metadataMaxBytes === undefined ? new OffsetTracker() : new OffsetTracker(metadataMaxBytes);
  const ledger = new MetadataLedger();
  tracker.assign(TOPIC, 0, () => ledger);
  tracker.dispatched(TOPIC, 0, 19, 0);
  tracker.mark(TOPIC, 0, 10);
  return { tracker, ledger };
}

test('pending() carries the offset and the metadata the ledger writes', () => {
  const { tracker, ledger } = marked(CAP);
  ledger.metadata = 'ahead:12';
  const rule = 'pending() carries { topic, partition, offset, metadata }';
  expect({ [rule]: tracker.pending() }).toStrictEqual({
    [rule]: [{ topic: TOPIC, partition: 0, offset: 10, metadata: 'ahead:12' }],
  });
});

test('after committed(entries) nothing is pending until the offset or the metadata changes', () => {
  const { tracker, ledger } = marked(CAP);
  ledger.metadata = 'a';
  tracker.committed(tracker.pending());
  const still = 'nothing is pending while offset and metadata are as committed';
  expect({ [still]: tracker.pending() }).toStrictEqual({ [still]: [] });

  ledger.metadata = 'b';
  const metadataMoved = 'a new metadata at the same offset is pending';
  expect({ [metadataMoved]: tracker.pending() }).toStrictEqual({
    [metadataMoved]: [{ topic: TOPIC, partition: 0, offset: 10, metadata: 'b' }],
  });
  tracker.committed(tracker.pending());

  tracker.mark(TOPIC, 0, 15);
  const offsetMoved = 'a new offset with the same metadata is pending';
  expect({ [offsetMoved]: tracker.pending() }).toStrictEqual({
    [offsetMoved]: [{ topic: TOPIC, partition: 0, offset: 15, metadata: 'b' }],
  });
  tracker.committed(tracker.pending());

  ledger.metadata = null;
  const cleared = 'metadata the ledger no longer writes is cleared by a commit without it';
  expect({ [cleared]: tracker.pending() }).toStrictEqual({ [cleared]: [{ topic: TOPIC, partition: 0, offset: 15 }] });
  tracker.committed(tracker.pending());
  expect({ [still]: tracker.pending() }).toStrictEqual({ [still]: [] });
});

// each string of CAP bytes has fewer characters (UTF-16 code units) than bytes
test.each([
  ['2-byte characters', 'é'.repeat(6)],
  ['3-byte characters', '€'.repeat(4)],
  ['4-byte characters (surrogate pairs)', '😀'.repeat(3)],
  ['mixed', 'é€😀abc'],
])('metadata of exactly the cap in UTF-8 bytes is sent (%s)', (_, metadata) => {
  expect(Buffer.byteLength(metadata)).toBe(CAP);
  const { tracker, ledger } = marked(CAP);
  ledger.metadata = metadata;
  const rule = 'metadata of exactly offset.metadata.max.bytes UTF-8 bytes is sent';
  expect({ [rule]: tracker.pending() }).toStrictEqual({
    [rule]: [{ topic: TOPIC, partition: 0, offset: 10, metadata }],
  });
});

test.each([
  ['2-byte characters', 'é'.repeat(6) + 'a'],
  ['3-byte characters', '€'.repeat(4) + 'a'],
  ['4-byte characters (surrogate pairs)', '😀'.repeat(3) + 'a'],
  ['mixed', 'é€😀abcd'],
  ['ASCII', 'x'.repeat(CAP + 1)],
])('metadata one UTF-8 byte over the cap is dropped, the offset still committed (%s)', (_, metadata) => {
  expect(Buffer.byteLength(metadata)).toBe(CAP + 1);
  const { tracker, ledger } = marked(CAP);
  ledger.metadata = metadata;
  const entries = tracker.pending();
  const rule =
    'metadata over offset.metadata.max.bytes (UTF-8 bytes) is dropped: no metadata key, the offset still pending';
  expect({ [rule]: entries }).toStrictEqual({ [rule]: [{ topic: TOPIC, partition: 0, offset: 10 }] });

  tracker.committed(entries);
  const settles = 'a dropped metadata does not keep the partition pending once its offset is committed';
  expect({ [settles]: tracker.pending() }).toStrictEqual({ [settles]: [] });
});

test("the default cap is Kafka's offset.metadata.max.bytes, 4096 bytes", () => {
  expect(DEFAULT_OFFSET_METADATA_MAX_BYTES).toBe(4096);
  const { tracker, ledger } = marked();
  ledger.metadata = 'é'.repeat(2048);
  const rule = 'new OffsetTracker() caps metadata at 4096 UTF-8 bytes';
  expect({ [rule]: tracker.pending()[0]?.metadata }).toEqual({ [rule]: 'é'.repeat(2048) });
  ledger.metadata = 'é'.repeat(2048) + 'a';
  expect({ [rule]: tracker.pending() }).toStrictEqual({ [rule]: [{ topic: TOPIC, partition: 0, offset: 10 }] });
});

test('restore() hands the committed offset and metadata to the ledger and records the committed offset', () => {
  const tracker = new OffsetTracker(CAP);
  const ledger = new MetadataLedger();
  tracker.assign(TOPIC, 0, () => ledger);
  tracker.restore(TOPIC, 0, 42, 'ahead:44');

  const handed = 'restore() hands the committed offset and its metadata to the ledger';
  expect({ [handed]: ledger.restored }).toEqual({ [handed]: [{ committed: 42, metadata: 'ahead:44' }] });
  const recorded = 'restore() records the committed offset';
  expect({ [recorded]: tracker.partitions()[0]?.committed }).toEqual({ [recorded]: 42 });

  // the ledger resumes at the committed offset with the restored metadata: nothing new to commit
  tracker.dispatched(TOPIC, 0, 49, 42);
  tracker.mark(TOPIC, 0, 42);
  const same = 'the committed offset and metadata restore() recorded are not committed again';
  expect({ [same]: tracker.pending() }).toStrictEqual({ [same]: [] });
  tracker.mark(TOPIC, 0, 45);
  expect({ [same]: tracker.pending() }).toStrictEqual({
    [same]: [{ topic: TOPIC, partition: 0, offset: 45, metadata: 'ahead:44' }],
  });
});

test('restore() of a group without a committed offset hands null to the ledger and records nothing', () => {
  const tracker = new OffsetTracker(CAP);
  const ledger = new MetadataLedger();
  tracker.assign(TOPIC, 0, () => ledger);
  tracker.restore(TOPIC, 0, null, null);
  const rule = 'restore(null, null) reaches the ledger and leaves the committed offset unknown';
  expect({ [rule]: { restored: ledger.restored, committed: tracker.partitions()[0]?.committed } }).toEqual({
    [rule]: { restored: [{ committed: null, metadata: null }], committed: null },
  });
});

test('metadataRefused(entries) counts each refused metadata as dropped on its ledger, and metadata as long as the shortest is not sent again', () => {
  const { tracker, ledger } = marked(CAP);
  const other = new MetadataLedger();
  tracker.assign(TOPIC, 1, () => other);
  tracker.dispatched(TOPIC, 1, 19, 0);
  tracker.mark(TOPIC, 1, 10);
  ledger.metadata = 'x'.repeat(9);
  other.metadata = 'y'.repeat(11);
  const refused = tracker.pending();
  tracker.metadataRefused([...refused, { topic: TOPIC, partition: 2, offset: 1, metadata: 'z'.repeat(20) }]);
  const counted =
    'each owned partition of the refused commit counts its metadata as dropped (its bytes); a partition not owned counts nowhere';
  expect({ [counted]: { p0: ledger.dropped, p1: other.dropped } }).toEqual({ [counted]: { p0: [9], p1: [11] } });

  // sent again without metadata, as the committer does; then the cap is 8 bytes (below the shortest refused, 9)
  tracker.committed(refused.map(({ topic, partition, offset }) => ({ topic, partition, offset })));
  ledger.metadata = 'a'.repeat(8);
  other.metadata = 'b'.repeat(9);
  tracker.mark(TOPIC, 0, 15);
  tracker.mark(TOPIC, 1, 15);
  const capped = 'metadata shorter than the shortest refused one is sent; as long as it is dropped (and counted)';
  expect({ [capped]: { pending: tracker.pending(), p1: other.dropped } }).toStrictEqual({
    [capped]: {
      pending: [
        { topic: TOPIC, partition: 0, offset: 15, metadata: 'a'.repeat(8) },
        { topic: TOPIC, partition: 1, offset: 15 },
      ],
      p1: [11, 9],
    },
  });
});
