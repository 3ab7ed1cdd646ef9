import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeFilesUnder, isCodeFile, MAX_CODE_FILE_CHARS } from '../../../src/core/app-code/code-files';
import { lintCodeFile } from '../../../src/core/app-code/lint-code-file';
import { findPrismaSchemaFiles, PrismaModelCache } from '../../../src/core/app-code/prisma-models';
import { defaultConfig, parseConfig } from '../../../src/core/config';
import { loadSqlParser } from '../../../src/core/sql/parse';

const at = (f: { range: { start: { line: number; character: number } } }): string => `${f.range.start.line + 1}:${f.range.start.character + 1}`;

describe('lintCodeFile (application code)', () => {
  before(() => loadSqlParser());

  it('gives the SQL in template literals the query rules, at the positions in the TypeScript file', () => {
    const code = [
      "import postgres from 'postgres';",
      'const sql = postgres();',
      'export async function find(term: string) {',
      "  return sql`SELECT * FROM users WHERE name LIKE '%' || ${term}`;",
      '}',
      '',
    ].join('\n');
    const { findings } = lintCodeFile('/src/a.ts', code, defaultConfig('/'));
    assert.deepEqual(findings.map((f) => `${at(f)} ${f.ruleId}`), ['4:21 select-star']);
    assert.equal(code.slice(findings[0].range.startOffset, findings[0].range.endOffset), '*');
  });

  it('skips templates that are fragments (no syntax-error findings) and honours // pglens-ignore', () => {
    const code = [
      "import { Prisma, PrismaClient } from '@prisma/client';",
      'const prisma = new PrismaClient();',
      'const cond = Prisma.sql`AND deleted_at IS NULL`;',
      '// pglens-ignore select-star',
      'export const all = () => prisma.$queryRaw`SELECT * FROM users`;',
      "export const one = () => prisma.$queryRaw`SELECT * FROM users WHERE email LIKE '%@x.io'`; // pglens-ignore leading-wildcard-like",
      '',
    ].join('\n');
    const { findings } = lintCodeFile('/src/a.ts', code, defaultConfig('/'));
    assert.deepEqual(findings.map((f) => `${at(f)} ${f.ruleId}`), ['6:50 select-star']);
  });

  it('reports nothing new for a file that does not parse, and says where it stopped', () => {
    const code = "import { prisma } from './db';\nfor (const id of ids) {\n  await prisma.user.findUnique({ where: { id } \n";
    const result = lintCodeFile('/src/half.ts', code, defaultConfig('/'));
    assert.deepEqual(result.findings, []);
    assert.ok(result.parseError, 'a parse error is returned');
    assert.equal(result.parseError.range.start.line, 3);
  });

  it('skips huge and minified files with a reason', () => {
    assert.match(lintCodeFile('/src/big.js', 'x'.repeat(MAX_CODE_FILE_CHARS + 1), defaultConfig('/')).skipped ?? '', /larger than 1 MB/);
    assert.match(lintCodeFile('/src/app.js', `var a=1;${'f(a);'.repeat(40_000)}`, defaultConfig('/')).skipped ?? '', /minified/);
  });

  it('skips a file too deeply nested to analyse (a stack overflow in the analysis or in the parser) instead of failing', () => {
    const head = "import { prisma } from './db';\nimport knex from 'knex';\nconst k = knex({});\n";
    const deep = {
      'a builder chain of 1,500 .where()': `${head}export const q = (ids: number[]) => ids.map((id) => k('t')${".where('a', id)".repeat(1500)});\n`,
      '2,000 strings joined with +': `${head}export const s = ${Array.from({ length: 2000 }, (_, i) => `'a${i}'`).join(' + ')};\n`,
      '4,000 nested templates': `${head}export const t = ${'`${'.repeat(4000)}1${'}`'.repeat(4000)};\n`,
      '6,000 chained helpers (the parser overflows)': `${head}export const c = ${'h('.repeat(6000)}prisma.user.findMany()${')'.repeat(6000)};\n`,
    };
    for (const [name, code] of Object.entries(deep)) {
      const result = lintCodeFile('/src/deep.ts', code, defaultConfig('/'));
      assert.equal(result.skipped, 'too deeply nested to analyse', name);
      assert.deepEqual(result.findings, [], name);
      assert.equal(result.parseError, undefined, name);
    }
  });

  it('turns the rule off and excludes files through .pglens.json', () => {
    const code = "import { prisma } from './db';\nexport async function f(ids: number[]) {\n  for (const id of ids) await prisma.user.findUnique({ where: { id } });\n}\n";
    assert.equal(lintCodeFile('/src/a.ts', code, defaultConfig('/')).findings.length, 1);
    assert.equal(lintCodeFile('/src/a.ts', code, parseConfig({ rules: { 'n-plus-one-query': 'off' } }, '/.pglens.json')).findings.length, 0);
    assert.equal(lintCodeFile('/src/a.ts', code, parseConfig({ exclude: ['src/**'] }, '/.pglens.json')).findings.length, 0);
    assert.equal(lintCodeFile('/src/a.ts', `// pglens-ignore-file n-plus-one-query\n${code}`, defaultConfig('/')).findings.length, 0);
  });
});

describe('code files of a folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pglens-code-files-'));
  const files = ['src/a.ts', 'src/b.tsx', 'src/c.mjs', 'src/types.d.ts', 'node_modules/x/index.js', 'dist/app.js', '.next/server.js', 'prisma/generated/client/index.js', 'src/generated/skip.ts', 'README.md'];
  for (const f of files) {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), '');
  }

  it('reads .ts/.tsx/.js/.jsx/.mts/.cts, not declaration files', () => {
    assert.deepEqual(['a.ts', 'b.tsx', 'c.jsx', 'd.mts', 'e.cts', 'f.js', 'g.d.ts', 'h.d.mts', 'i.sql'].filter(isCodeFile), ['a.ts', 'b.tsx', 'c.jsx', 'd.mts', 'e.cts', 'f.js']);
  });

  it('skips node_modules, dist, .next, *.d.ts and prisma/generated by default', () => {
    const found = codeFilesUnder(dir, defaultConfig(dir)).map((f) => f.slice(dir.length + 1));
    assert.deepEqual(found, ['src/a.ts', 'src/b.tsx', 'src/c.mjs', 'src/generated/skip.ts']);
  });

  it('takes appCode.skip from .pglens.json instead of the defaults', () => {
    const config = parseConfig({ appCode: { skip: ['**/generated', 'node_modules'] } }, join(dir, '.pglens.json'));
    const found = codeFilesUnder(dir, config).map((f) => f.slice(dir.length + 1));
    assert.deepEqual(found, ['.next/server.js', 'dist/app.js', 'src/a.ts', 'src/b.tsx', 'src/c.mjs']);
    assert.throws(() => parseConfig({ appCode: { skip: 'dist' } }, '/x/.pglens.json'), /"appCode\.skip" must be an array of glob strings/);
    assert.throws(() => parseConfig({ appCode: { skp: [] } }, '/x/.pglens.json'), /"appCode\.skp" is not a known setting/);
  });

  it('finds the project\'s schema.prisma above a code file, and caches the models until it changes', () => {
    const project = mkdtempSync(join(tmpdir(), 'pglens-prisma-project-'));
    mkdirSync(join(project, 'prisma'));
    mkdirSync(join(project, 'src', 'feed'), { recursive: true });
    writeFileSync(join(project, 'package.json'), '{}');
    writeFileSync(join(project, 'prisma', 'schema.prisma'), 'model User {\n  id Int @id\n  posts Post[]\n}\nmodel Post {\n  id Int @id\n  authorId Int\n  author User @relation(fields: [authorId], references: [id])\n}\n');
    const code = join(project, 'src', 'feed', 'feed.ts');
    assert.deepEqual(findPrismaSchemaFiles(code), [join(project, 'prisma', 'schema.prisma')]);
    const cache = new PrismaModelCache();
    const models = cache.forCodeFile(code);
    assert.deepEqual(models?.relations, [{ parent: 'User', parentField: 'posts', child: 'Post', fk: ['authorId'], refs: ['id'], list: true }]);
    assert.equal(models?.modelOfDelegate.get('post'), 'Post');
    assert.equal(cache.forCodeFile(code), models, 'the second call is served from the cache');
  });
});
