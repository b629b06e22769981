// `decanter server <app file>` exit codes that need no broker.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const cli = join(__dirname, '..', '..', 'dist', 'cli.js');

test('an app file breaking the contract exits with code 2 and names the problems', () => {
  const result = spawnSync(process.execPath, [cli, 'server', join(__dirname, 'fixtures', 'bad-options-app.ts')], { encoding: 'utf8', timeout: 30_000 });
  expect(result.status).toBe(2);
  expect(result.stderr).toContain('options.concurrency must be an integer between 1 and 256 (got 0)');
  expect(result.stderr).toContain('routes must be a non-empty array of consumer group routes');
});

test('a wrong command prints the usage and exits with code 1', () => {
  const result = spawnSync(process.execPath, [cli, 'serve'], { encoding: 'utf8', timeout: 30_000 });
  expect(result.status).toBe(1);
  expect(result.stderr).toContain('Usage: decanter server <app file');
});
