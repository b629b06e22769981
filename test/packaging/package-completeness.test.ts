// Claim: each published package is complete on its own. Its tarball carries the metadata a
// registry page needs (repository, homepage, bugs, keywords, engines), the MIT LICENSE, a README
// whose relative links resolve inside the tarball (links into the repository are absolute URLs to
// files and headings that exist), source maps whose sources are shipped, and no user-facing string
// that names one package manager's install command or a docs/*.md path the user does not have.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { packedTarballs, publishablePackages, run } from './lib/tarball-project';

const ROOT = path.resolve(__dirname, '../..');
const REPO = 'https://github.com/decanter-kafka/decanter';

interface Unpacked {
  name: string;
  /** the workspace folder name, e.g. 'consumer-core' */
  folder: string;
  /** the unpacked `package/` folder */
  dir: string;
  /** every shipped file, relative to `dir`, with / separators */
  files: Set<string>;
  manifest: Record<string, unknown>;
}

function walk(dir: string, relative = ''): string[] {
  return readdirSync(path.join(dir, relative), { withFileTypes: true }).flatMap((entry) => {
    const rel = relative === '' ? entry.name : `${relative}/${entry.name}`;
    return entry.isDirectory() ? walk(dir, rel) : [rel];
  });
}

const packages = publishablePackages();
const unpacked = new Map<string, Unpacked>();
let scratch: string;

beforeAll(async () => {
  const tarballs = await packedTarballs();
  scratch = mkdtempSync(path.join(os.tmpdir(), 'decanter-unpacked-'));
  for (const pkg of packages) {
    const target = path.join(scratch, path.basename(pkg.dir));
    mkdirSync(target, { recursive: true });
    const result = await run(target, 'tar', ['xzf', tarballs[pkg.name]!]);
    if (result.code !== 0) throw new Error(`tar xzf ${tarballs[pkg.name]} failed: ${result.stderr}`);
    const dir = path.join(target, 'package');
    unpacked.set(pkg.name, {
      name: pkg.name,
      folder: path.basename(pkg.dir),
      dir,
      files: new Set(walk(dir)),
      manifest: JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Record<string, unknown>,
    });
  }
}, 300_000);

afterAll(() => {
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
});

const each = (): string[] => packages.map((pkg) => pkg.name);
const get = (name: string): Unpacked => unpacked.get(name)!;
const read = (pkg: Unpacked, file: string): string => readFileSync(path.join(pkg.dir, file), 'utf8');

/** Markdown text without fenced code blocks and inline code, where link syntax is not a link. */
function withoutCode(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** Every link target in a Markdown file: inline links and images, reference definitions, HTML href/src. */
function linkTargets(markdown: string): string[] {
  const text = withoutCode(markdown);
  const targets: string[] = [];
  for (const m of text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) targets.push(m[1]!);
  for (const m of text.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)) targets.push(m[1]!);
  for (const m of text.matchAll(/\b(?:href|src)\s*=\s*["']([^"']+)["']/g)) targets.push(m[1]!);
  return targets;
}

/** GitHub's anchors for the headings of a Markdown file. */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const m of withoutCodeBlocksOnly(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = m[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

function withoutCodeBlocksOnly(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
}

const isUrl = (target: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(target);

describe('the set of packages', () => {
  test('@decanter/test-helpers is private (never published) and the four packages are publishable', () => {
    const helpers = JSON.parse(readFileSync(path.join(ROOT, 'packages/test-helpers/package.json'), 'utf8')) as {
      private?: boolean;
    };
    expect(helpers.private).toBe(true);
    expect(each()).toEqual([
      '@decanter/consumer-core',
      '@decanter/multiplexing',
      '@decanter/producer',
      '@decanter/virtual-partitions',
    ]);
  });

  test('every path a package.json lists in "files" exists (all packages, private ones too)', () => {
    const missing: string[] = [];
    for (const folder of readdirSync(path.join(ROOT, 'packages'))) {
      const dir = path.join(ROOT, 'packages', folder);
      const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { files?: string[] };
      for (const entry of manifest.files ?? []) {
        if (entry.startsWith('!') || /[*?]/.test(entry)) continue;
        try {
          statSync(path.join(dir, entry));
        } catch {
          missing.push(`packages/${folder}: ${entry}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});

describe.each(each())('%s', (name) => {
  test('package.json has license, keywords, repository (with directory), homepage, bugs and the tested engines', () => {
    const pkg = get(name);
    const rootManifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      engines: { node: string };
    };
    expect(pkg.manifest).toMatchObject({
      license: 'MIT',
      repository: { type: 'git', url: `git+${REPO}.git`, directory: `packages/${pkg.folder}` },
      homepage: `${REPO}/tree/main/packages/${pkg.folder}#readme`,
      bugs: { url: `${REPO}/issues` },
      engines: { node: rootManifest.engines.node },
    });
    expect(pkg.manifest.keywords).toEqual(expect.arrayContaining(['kafka', 'kafkajs']));
    // "as tested": the Node.js running this suite is one the range admits
    const floor = /^>=(\d+)$/.exec(rootManifest.engines.node);
    expect(floor).not.toBeNull();
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(Number(floor![1]));
    // the workspace protocol never reaches a registry
    expect(JSON.stringify(pkg.manifest)).not.toContain('workspace:');
  });

  test('ships README.md, the MIT LICENSE of the repository, and no build info', () => {
    const pkg = get(name);
    expect(pkg.files.has('README.md')).toBe(true);
    expect(pkg.files.has('LICENSE')).toBe(true);
    expect(read(pkg, 'LICENSE')).toBe(readFileSync(path.join(ROOT, 'LICENSE'), 'utf8'));
    expect(read(pkg, 'LICENSE')).toMatch(/^MIT License/);
    expect([...pkg.files].filter((file) => file.endsWith('.tsbuildinfo'))).toEqual([]);
  });

  test('every relative link in the shipped Markdown resolves inside the tarball', () => {
    const pkg = get(name);
    const broken: string[] = [];
    for (const file of [...pkg.files].filter((f) => f.endsWith('.md'))) {
      const markdown = read(pkg, file);
      for (const target of linkTargets(markdown)) {
        if (isUrl(target)) continue;
        const [pathPart, anchor] = target.split('#') as [string, string | undefined];
        if (pathPart === '') {
          if (anchor !== undefined && !headingAnchors(markdown).has(anchor))
            broken.push(`${file}: ${target} (no such heading)`);
          continue;
        }
        if (pathPart.startsWith('/')) {
          broken.push(`${file}: ${target} (absolute path)`);
          continue;
        }
        const resolved = path.posix.normalize(
          path.posix.join(path.posix.dirname(file), decodeURI(pathPart.split('?')[0]!)),
        );
        const exists =
          pkg.files.has(resolved) || [...pkg.files].some((f) => f.startsWith(`${resolved.replace(/\/$/, '')}/`));
        if (resolved.startsWith('..') || !exists) broken.push(`${file}: ${target}`);
        else if (anchor !== undefined && resolved.endsWith('.md') && !headingAnchors(read(pkg, resolved)).has(anchor)) {
          broken.push(`${file}: ${target} (no such heading)`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  test('links into the repository are absolute URLs to files and headings that exist on main', () => {
    const pkg = get(name);
    const broken: string[] = [];
    const prefix = /^https:\/\/github\.com\/decanter-kafka\/decanter\/(?:blob|tree)\/main\/([^#?]*)(?:#(.*))?$/;
    for (const file of [...pkg.files].filter((f) => f.endsWith('.md'))) {
      for (const target of linkTargets(read(pkg, file))) {
        const m = prefix.exec(target);
        if (m === null) continue;
        const inRepo = path.join(ROOT, decodeURI(m[1]!));
        let ok = true;
        try {
          statSync(inRepo);
        } catch {
          ok = false;
        }
        if (!ok) broken.push(`${file}: ${target} (no such file in the repository)`);
        else if (
          m[2] !== undefined &&
          inRepo.endsWith('.md') &&
          !headingAnchors(readFileSync(inRepo, 'utf8')).has(m[2])
        ) {
          broken.push(`${file}: ${target} (no such heading)`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  test('every sourceMappingURL and every source of a shipped .map resolves inside the tarball', () => {
    const pkg = get(name);
    const broken: string[] = [];
    const maps = [...pkg.files].filter((f) => f.endsWith('.map'));
    for (const file of [...pkg.files].filter((f) => /\.(c|m)?js$|\.d\.(c|m)?ts$/.test(f))) {
      const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(read(pkg, file))?.[1];
      if (url === undefined || url.startsWith('data:')) continue;
      const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(file), url));
      if (!pkg.files.has(resolved)) broken.push(`${file}: sourceMappingURL=${url}`);
    }
    for (const map of maps) {
      const parsed = JSON.parse(read(pkg, map)) as {
        sources: string[];
        sourceRoot?: string;
        sourcesContent?: (string | null)[];
      };
      parsed.sources.forEach((source, i) => {
        if (typeof parsed.sourcesContent?.[i] === 'string') return;
        const resolved = path.posix.normalize(
          path.posix.join(path.posix.dirname(map), parsed.sourceRoot ?? '', source),
        );
        if (!pkg.files.has(resolved)) broken.push(`${map}: ${source}`);
      });
    }
    expect(maps.length).toBeGreaterThan(0);
    expect(broken).toEqual([]);
  });

  test("no string in the shipped JavaScript names one package manager's install command or a relative docs/*.md", () => {
    const pkg = get(name);
    const offending: string[] = [];
    const installCommand = /\b(?:pnpm|yarn|bun)\s+(?:add|install|i)\b|\bnpm\s+(?:install|i|add)\b/;
    const relativeDoc = /(?:^|[^\w/.-])(?:\.\.?\/)*docs\/[\w.-]+\.md\b/;
    for (const file of [...pkg.files].filter((f) => /\.(c|m)?js$/.test(f))) {
      const source = ts.createSourceFile(file, read(pkg, file), ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
      const visit = (node: ts.Node): void => {
        let text: string | undefined;
        if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) text = node.text;
        else if (ts.isTemplateExpression(node))
          text = [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join('${…}');
        if (text !== undefined && (installCommand.test(text) || relativeDoc.test(text))) {
          const { line } = source.getLineAndCharacterOfPosition(node.getStart());
          offending.push(`${file}:${line + 1}: ${text}`);
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    expect(offending).toEqual([]);
  });
});
