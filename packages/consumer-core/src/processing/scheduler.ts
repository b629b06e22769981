// When the jobs of a poll run, and when the next poll may be handed out. The core ships the
// blocking scheduler (Karafka's default): a subscription group's next poll waits until every job
// of its previous poll finished; subscription groups never wait for each other, because each has
// its own loop. Virtual partitions / multiplexing plug in a different Scheduler, not an `if`.
import type { ConsumeJob } from './job';

export type JobExecutor = (job: ConsumeJob) => Promise<void>;

export interface Scheduler {
  /** Runs one poll's jobs; resolves when the subscription group may poll again. */
  schedule(jobs: readonly ConsumeJob[], execute: JobExecutor): Promise<void>;
}

/** All jobs of a poll run in parallel (each on its partition's lane); the next poll waits for all of them. */
export function blockingScheduler(): Scheduler {
  return {
    async schedule(jobs, execute) {
      await Promise.all(jobs.map((job) => execute(job)));
    },
  };
}
