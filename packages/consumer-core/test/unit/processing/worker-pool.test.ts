// Partition → lane affinity of the worker pool (threads from the built worker entry, no broker).
import { WorkerPool } from '../../../src/processing/worker-pool';

test('partitions are pinned to the least loaded lane and stay there', async () => {
  const pool = new WorkerPool(2);
  try {
    expect(['g/t/0', 'g/t/1', 'g/t/2', 'g/t/3'].map((k) => pool.laneFor(k))).toEqual([0, 1, 0, 1]);
    expect(pool.laneFor('g/t/2')).toBe(0);
    // unpinning frees the lane's share: new partitions fill the lighter lane first
    await pool.revoke(['g/t/0', 'g/t/2']);
    expect(['g/u/0', 'g/u/1', 'g/u/2'].map((k) => pool.laneFor(k))).toEqual([0, 0, 0]);
    expect(pool.laneFor('g/u/3')).toBe(1);
  } finally {
    await pool.close();
  }
});

test('lifecycle tasks run on every lane and report no errors without instances', async () => {
  const pool = new WorkerPool(3);
  try {
    expect(await pool.shutdown()).toEqual({ errors: [] });
  } finally {
    await pool.close();
  }
});
