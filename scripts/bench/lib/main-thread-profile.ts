// A CPU profile of the main thread over part of a benchmark (node --cpu-prof profiles the whole
// process life, baselines and topic filling included). Written as a .cpuprofile into the temp
// dir, for Chrome DevTools or speedscope.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { progress } from './stats';

export interface RunningProfile {
  stop(name: string): Promise<string>;
}

export async function mainThreadProfile(): Promise<RunningProfile> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object): Promise<unknown> =>
    new Promise((resolve, reject) => session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
  return {
    async stop(name) {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      session.disconnect();
      const file = join(tmpdir(), `${name}-${Date.now()}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      progress(`main-thread profile: ${file}`);
      return file;
    },
  };
}
