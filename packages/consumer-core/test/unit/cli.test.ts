// `decanter server <app file>` exit codes and load errors that need no broker.
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

// regression (issue 15): app files were require()d, so one with top-level await failed to load
test('an ES module app file with top-level await is imported; one without an App says what to export', () => {
  const result = spawnSync(process.execPath, [cli, 'server', join(__dirname, 'fixtures', 'top-level-await-app.mjs')], { encoding: 'utf8', timeout: 30_000 });
  expect(result.status).toBe(1);
  expect(result.stderr).toContain(
    "top-level-await-app.mjs must export an App (export default, module.exports or an export named 'app') or a factory returning one (default, or an export named 'createApp')",
  );
  expect(result.stderr).not.toContain('ERR_REQUIRE');
});
