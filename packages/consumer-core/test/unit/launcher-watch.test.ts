// The launcher watch: which npm command started the process (from npm's own variables), and a
// real process tree — sh → node, as npm runs a bin — where the node process notices sh exiting.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { npmLauncher } from '../../src/launcher-watch';

test.each([
  [{}, undefined],
  [{ npm_command: 'exec', npm_lifecycle_event: 'npx' }, 'npx'],
  [{ npm_command: 'exec' }, 'npx'],
  [{ npm_command: 'start', npm_lifecycle_event: 'start' }, 'npm run'],
  [{ npm_command: 'run-script', npm_lifecycle_event: 'serve' }, 'npm run'],
])('npmLauncher(%j) is %s', (env, expected) => {
  expect(npmLauncher(env)).toBe(expected);
});

// dist/: the child is a plain node process (scripts/test builds first)
const watch = join(__dirname, '..', '..', 'dist', 'launcher-watch.js');

test('a process whose launcher (sh, under a parent) is killed is told, with the pid that went away', async () => {
  const child = `const { watchLauncher } = require(${JSON.stringify(watch)});
const w = watchLauncher((pid) => { console.log('gone ' + pid); process.exit(0); }, 50);
console.log('watching ' + w.pids.join(','));
setTimeout(() => { console.log('not told'); process.exit(1); }, 10000);`;
  // sh stays between us and node (two commands, so sh cannot exec node in its place)
  const sh = spawn('sh', ['-c', '"$0" -e "$1"; true', process.execPath, child], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  sh.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => sh.once('exit', () => resolve()));
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      if (out.includes('watching') || sh.exitCode !== null) {
        clearInterval(poll);
        resolve();
      }
    }, 20);
  });
  expect(out).toContain(`watching ${sh.pid},${process.pid}`);
  sh.kill('SIGKILL');
  await exited;
  // the node child outlives sh and writes to the pipe it inherited
  const until = Date.now() + 12_000;
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      if (/gone|not told/.test(out) || Date.now() > until) {
        clearInterval(poll);
        resolve();
      }
    }, 20);
  });
  expect(out).toContain(`gone ${sh.pid}`);
});
