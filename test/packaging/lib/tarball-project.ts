// Shared fixture of the packaging tests: the publishable packages as the registry would get them
// (built, then `pnpm pack`ed, which turns workspace:^ into real ranges) and fresh npm projects that
// install them from those tarballs. It must never install a @decanter package from the registry or
// from the workspace: a user's project sees only what is in the tarballs.
//
// Tarballs are cached in os.tmpdir()/decanter-tarballs/<hash of the packages' files>/, so every
// Jest worker and every later run with the same sources reuses one pack; a lock directory keeps
// concurrent workers from building or packing at the same time.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const CACHE = path.join(os.tmpdir(), 'decanter-tarballs');
/** Bump when the way tarballs are made changes, so old caches are not reused. */
const FIXTURE_VERSION = '1';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface ProjectOptions {
  name: string;
  type?: 'module' | 'commonjs';
  /** extra npm deps, e.g. { tsx: '4.x', typescript: '5.9.3' } */
  dependencies?: Record<string, string>;
  /** @decanter package names to install from the tarballs (their @decanter deps are installed from tarballs too) */
  packages: string[];
  files?: Record<string, string>;
}

interface WorkspacePackage {
  name: string;
  dir: string;
  manifest: { name: string; private?: boolean; dependencies?: Record<string, string> };
}

/** The packages under packages/ that are published (not `private`). */
export function publishablePackages(): WorkspacePackage[] {
  const base = path.join(ROOT, 'packages');
  return readdirSync(base)
    .map((entry) => path.join(base, entry))
    .filter((dir) => existsSync(path.join(dir, 'package.json')))
    .map((dir) => {
      const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as WorkspacePackage['manifest'];
      return { name: manifest.name, dir, manifest };
    })
    .filter((pkg) => pkg.manifest.private !== true)
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The environment for child processes: the test process's, without what pnpm/npm put there for
 * the workspace (npm_config_*, npm_package_*, …), which would leak workspace settings into a
 * user's project.
 */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm|pnpm)_/i.test(key) || key === 'NODE_PATH' || key === 'INIT_CWD') continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/** Runs a command in dir with a timeout, returns { code, stdout, stderr } (never throws on non-zero exit). */
export function run(
  dir: string,
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunResult> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: dir, env: childEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      stderr += `\n[run] ${command} ${args.join(' ')} timed out after ${timeoutMs} ms; killed`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, stdout, stderr: `${stderr}\n[run] ${error.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

async function runOrThrow(dir: string, command: string, args: string[], timeoutMs?: number): Promise<RunResult> {
  const result = await run(dir, command, args, timeoutMs === undefined ? {} : { timeoutMs });
  if (result.code !== 0) {
    throw new Error(
      `\`${command} ${args.join(' ')}\` in ${dir} failed (exit ${result.code}, signal ${result.signal}):\n` +
        `${result.stdout}\n${result.stderr}`,
    );
  }
  return result;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Holds a lock (an atomically created directory with the owner's pid) while `work` runs. A lock
 * whose owner died, or that is older than 10 minutes, is taken over.
 */
async function withLock<T>(lockDir: string, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(path.join(lockDir, 'owner'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let stale = false;
      try {
        const owner = Number(readFileSync(path.join(lockDir, 'owner'), 'utf8'));
        stale = (owner > 0 && !processAlive(owner)) || Date.now() - statSync(lockDir).mtimeMs > 10 * 60_000;
      } catch {
        // the owner file is not written yet (or the lock just went away): wait and look again
        stale = existsSync(lockDir) && Date.now() - statSync(lockDir).mtimeMs > 60_000;
      }
      if (stale) rmSync(lockDir, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`gave up waiting for the lock ${lockDir}`);
      else await sleep(200);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/** Every file of a package that can end up in its tarball (everything but node_modules, tests, build info). */
function packageFiles(dir: string, relative = ''): string[] {
  return readdirSync(path.join(dir, relative), { withFileTypes: true })
    .filter((entry) => !['node_modules', 'test', '.tsbuildinfo'].includes(entry.name))
    .flatMap((entry) => {
      const rel = path.join(relative, entry.name);
      return entry.isDirectory() ? packageFiles(dir, rel) : [rel];
    })
    .sort();
}

function contentHash(packages: WorkspacePackage[]): string {
  const hash = createHash('sha256').update(`fixture ${FIXTURE_VERSION}\n`);
  hash.update(readFileSync(path.join(ROOT, 'LICENSE')));
  for (const pkg of packages) {
    for (const file of packageFiles(pkg.dir)) {
      hash.update(`${pkg.name}/${file}\n`);
      hash.update(readFileSync(path.join(pkg.dir, file)));
    }
  }
  return hash.digest('hex').slice(0, 16);
}

function pnpmCommand(): string {
  const local = path.join(ROOT, '.tools', 'node_modules', '.bin', 'pnpm');
  return existsSync(local) ? local : 'pnpm';
}

async function buildAndPack(): Promise<Record<string, string>> {
  mkdirSync(CACHE, { recursive: true });
  return withLock(path.join(CACHE, '.lock'), async () => {
    const packages = publishablePackages();
    // tsc -b does nothing when dist/ is up to date (scripts/test builds before Jest runs)
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    await runOrThrow(
      ROOT,
      process.execPath,
      [tsc, '-b', ...packages.map((pkg) => path.relative(ROOT, pkg.dir))],
      300_000,
    );

    const key = contentHash(packages);
    const target = path.join(CACHE, key);
    const manifestFile = path.join(target, 'tarballs.json');
    if (existsSync(manifestFile)) return JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, string>;

    const staging = mkdtempSync(path.join(CACHE, `${key}.staging-`));
    const tarballs: Record<string, string> = {};
    for (const pkg of packages) {
      const before = new Set(readdirSync(staging));
      await runOrThrow(pkg.dir, pnpmCommand(), ['pack', '--pack-destination', staging], 120_000);
      const made = readdirSync(staging).filter((file) => file.endsWith('.tgz') && !before.has(file));
      if (made.length !== 1)
        throw new Error(`pnpm pack of ${pkg.name} made ${made.length} tarballs: ${made.join(', ')}`);
      tarballs[pkg.name] = path.join(target, made[0]!);
    }
    writeFileSync(path.join(staging, 'tarballs.json'), JSON.stringify(tarballs, null, 2));
    rmSync(target, { recursive: true, force: true });
    renameSync(staging, target);
    pruneOldCaches(key);
    return tarballs;
  });
}

/** Drops cached packs of earlier sources that nobody touched for a day. */
function pruneOldCaches(keep: string): void {
  for (const entry of readdirSync(CACHE)) {
    if (entry === keep || entry === '.lock') continue;
    const full = path.join(CACHE, entry);
    if (Date.now() - statSync(full).mtimeMs > 24 * 3600_000) rmSync(full, { recursive: true, force: true });
  }
}

let packed: Promise<Record<string, string>> | undefined;

/** Packs every publishable package once per machine-state (pnpm pack, after a build; cache keyed by a hash of the packages' dist+package.json so repeated jest workers/processes reuse it; safe under concurrent jest workers — use a lock or atomic rename) and returns name -> absolute .tgz path. */
export function packedTarballs(): Promise<Record<string, string>> {
  packed ??= buildAndPack().catch((error: unknown) => {
    packed = undefined;
    throw error;
  });
  return packed;
}

/** `names` and every @decanter package they depend on, transitively. */
function withDecanterDependencies(names: string[]): string[] {
  const byName = new Map(publishablePackages().map((pkg) => [pkg.name, pkg]));
  const closure = new Set<string>();
  const visit = (name: string): void => {
    if (closure.has(name)) return;
    const pkg = byName.get(name);
    if (pkg === undefined)
      throw new Error(`${name} is not a publishable package (known: ${[...byName.keys()].join(', ')})`);
    closure.add(name);
    for (const dep of Object.keys(pkg.manifest.dependencies ?? {})) if (dep.startsWith('@decanter/')) visit(dep);
  };
  names.forEach(visit);
  return [...closure].sort();
}

// Projects are removed after the test file that made them (DECANTER_KEEP_PROJECTS=1 keeps them to
// look into). Under Jest the sandboxed `process` never sees 'exit', so an afterAll hook does it.
const projects: string[] = [];
function removeProjects(): void {
  if (process.env.DECANTER_KEEP_PROJECTS === '1') return;
  for (const dir of projects.splice(0)) rmSync(dir, { recursive: true, force: true });
}
const jestAfterAll = (globalThis as { afterAll?: (fn: () => void) => void }).afterAll;
try {
  if (typeof jestAfterAll !== 'function') throw new Error('not under Jest');
  jestAfterAll(removeProjects);
} catch {
  // not under Jest, or loaded from inside a test (where hooks cannot be added)
  process.once('exit', removeProjects);
}

/** A fresh empty npm project in a temp dir (under os.tmpdir()), `npm install`ed from the tarballs (plus `dependencies`), with `files` written into it; returns its dir. */
export async function emptyProject(options: ProjectOptions): Promise<string> {
  const tarballs = await packedTarballs();
  const dir = mkdtempSync(path.join(os.tmpdir(), `decanter-${options.name.replace(/[^a-z0-9-]/gi, '-')}-`));
  projects.push(dir);
  const dependencies: Record<string, string> = { ...options.dependencies };
  // every @decanter package as a tarball at the top: the tarballs' own ^0.1.0 ranges are then
  // satisfied by these, so npm never asks the registry for a @decanter package
  for (const name of withDecanterDependencies(options.packages)) dependencies[name] = `file:${tarballs[name]}`;
  const manifest = {
    name: options.name,
    version: '1.0.0',
    private: true,
    ...(options.type === undefined ? {} : { type: options.type }),
    dependencies,
  };
  writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await runOrThrow(dir, 'npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], 300_000);
  for (const [file, text] of Object.entries(options.files ?? {})) {
    const full = path.join(dir, file);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
  return dir;
}
