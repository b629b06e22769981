// Claim: a Produce request body (v3-v8) and its response are Kafka's layout byte for byte (vectors
// worked out from the protocol), batches are copied in unchanged, and a response's partition
// errors are returned, not thrown.
import { encodeProduceRequestBody } from '../../../src/encoding/produce-request';
import { decodeProduceResponse } from '../../../src/encoding/produce-response';

describe('encodeProduceRequestBody', () => {
  it('no transaction, one topic, one partition', () => {
    const body = encodeProduceRequestBody({
      transactionalId: null,
      acks: -1,
      timeoutMs: 30_000,
      topics: [{ topic: 't', partitions: [{ partition: 2, batch: Buffer.from('abc') }] }],
    });
    expect(body.toString('hex')).toBe(
      'ffff' + // transactional_id null
        'ffff' + // acks -1
        '00007530' + // timeout 30000
        '00000001' +
        '0001' +
        '74' + // 1 topic, 't'
        '00000001' +
        '00000002' +
        '00000003' +
        '616263', // 1 partition: 2, 3 bytes of records
    );
  });

  it('a transaction, several topics and partitions, in the order given', () => {
    const body = encodeProduceRequestBody({
      transactionalId: 'tx',
      acks: 1,
      timeoutMs: 5,
      topics: [
        {
          topic: 'a',
          partitions: [
            { partition: 0, batch: Buffer.from([1]) },
            { partition: 1, batch: Buffer.from([2, 3]) },
          ],
        },
        { topic: 'bé', partitions: [{ partition: 7, batch: Buffer.alloc(0) }] },
      ],
    });
    expect(body.toString('hex')).toBe(
      '0002' +
        '7478' +
        '0001' +
        '00000005' +
        '00000002' +
        '0001' +
        '61' +
        '00000002' +
        '00000000' +
        '00000001' +
        '01' +
        '00000001' +
        '00000002' +
        '0203' +
        '0003' +
        '62c3a9' +
        '00000001' +
        '00000007' +
        '00000000',
    );
  });
});

describe('decodeProduceResponse', () => {
  const partition = (version: number): string =>
    '00000000' + // partition 0
    '0000' + // no error
    '000000000000002a' + // base offset 42
    'ffffffffffffffff' + // log append time -1
    (version >= 5 ? '0000000000000000' : '') + // log start offset 0
    (version >= 8 ? '00000001' + '00000003' + '0003' + '626164' + 'ffff' : ''); // record error 3 'bad', no message

  it.each([3, 5, 7, 8])('v%d', (version) => {
    const payload = Buffer.from('00000001' + '0001' + '74' + '00000001' + partition(version) + '00000005', 'hex');
    expect(decodeProduceResponse(payload, version)).toEqual({
      topics: [
        {
          topic: 't',
          partitions: [
            {
              partition: 0,
              errorCode: 0,
              baseOffset: '42',
              logAppendTime: '-1',
              logStartOffset: version >= 5 ? '0' : '-1',
              errorMessage: null,
              recordErrors: version >= 8 ? [{ batchIndex: 3, message: 'bad' }] : [],
            },
          ],
        },
      ],
      throttleTimeMs: 5,
    });
  });

  it('returns every partition, errors included', () => {
    const p = (id: number, code: number, offset: string): string =>
      id.toString(16).padStart(8, '0') +
      code.toString(16).padStart(4, '0') +
      offset +
      'ffffffffffffffff' +
      '0000000000000000';
    const payload = Buffer.from(
      '00000001' + '0001' + '74' + '00000002' + p(0, 2, 'ffffffffffffffff') + p(1, 0, '0000000000000010') + '00000000',
      'hex',
    );
    const [topic] = decodeProduceResponse(payload, 7).topics;
    expect(topic?.partitions.map((x) => [x.partition, x.errorCode, x.baseOffset])).toEqual([
      [0, 2, '-1'],
      [1, 0, '16'],
    ]);
  });
});
