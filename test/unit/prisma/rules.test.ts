import assert from 'node:assert/strict';
import { lintPrismaFiles, lintPrismaSchema } from '../../../src/core/prisma/lint';
import { applyEdits } from '../../../src/core/lint/apply-edits';
import { at, configWith, DATASOURCE, fixed, fixture, lintOnly } from './helpers';

/**
 * One table per rule, ESLint-style: valid schemas report nothing, invalid ones report on the
 * field or attribute, and the fix produces the expected schema text.
 */
interface Invalid {
  schema: string;
  /** Source text the finding is reported on. */
  on: string;
  message?: RegExp;
  /** Schema after applying the fix; null when the rule offers none. */
  output: string | null;
}

function table(ruleId: string, cases: { valid: string[]; invalid: Invalid[] }): void {
  describe(ruleId, () => {
    cases.valid.forEach((schema, i) => {
      it(`valid #${i + 1}`, () => assert.deepEqual(lintOnly(ruleId, DATASOURCE + schema).map((f) => f.message), []));
    });
    cases.invalid.forEach((c, i) => {
      it(`invalid #${i + 1}: ${c.on.split('\n')[0].trim()}`, () => {
        const text = DATASOURCE + c.schema;
        const findings = lintOnly(ruleId, text);
        assert.equal(findings.length, 1, JSON.stringify(findings.map((f) => f.message)));
        const [f] = findings;
        assert.equal(f.ruleId, ruleId);
        assert.equal(at(text, f), c.on);
        if (c.message) assert.match(f.message, c.message);
        if (c.output === null) assert.equal(f.fix, undefined);
        else {
          const out = fixed(text, f);
          assert.equal(out, DATASOURCE + c.output);
          assert.deepEqual(lintOnly(ruleId, out).map((x) => x.message), [], 'the fixed schema is clean');
        }
      });
    });
  });
}

describe('prisma rules', () => {
  table('fk-without-index', {
    valid: [
      // One field without brackets, as Prisma also accepts.
      'model User {\n  id    BigInt @id\n  posts Post[]\n}\n\nmodel Post {\n  id       BigInt @id\n  authorId BigInt\n  author   User   @relation(fields: [authorId], references: [id])\n\n  @@index(authorId)\n}\n',
      'model User {\n  id    BigInt @id\n  posts Post[]\n}\n\nmodel Post {\n  id       BigInt @id\n  authorId BigInt\n  author   User   @relation(fields: [authorId], references: [id])\n\n  @@index([authorId])\n}\n',
      'model User {\n  id    BigInt @id\n  posts Post[]\n}\n\nmodel Post {\n  id       BigInt @id\n  authorId BigInt @unique\n  author   User   @relation(fields: [authorId], references: [id])\n}\n',
      'model User {\n  id    BigInt @id\n  posts Post[]\n}\n\nmodel Post {\n  authorId BigInt\n  slug     String\n  author   User   @relation(fields: [authorId], references: [id])\n\n  @@id([authorId, slug])\n}\n',
    ],
    invalid: [
      {
        schema: 'model User {\n  id    BigInt @id\n  posts Post[]\n}\n\nmodel Post {\n  id       BigInt @id\n  authorId BigInt\n  author   User   @relation(fields: [authorId], references: [id])\n}\n',
        on: '@relation(fields: [authorId], references: [id])',
        message: /Post\.authorId has no index .*add @@index\(\[authorId\]\)/,
        output: 'model User {\n  id    BigInt @id\n  posts Post[]\n}\n\nmodel Post {\n  id       BigInt @id\n  authorId BigInt\n  author   User   @relation(fields: [authorId], references: [id])\n\n  @@index([authorId])\n}\n',
      },
      {
        // An index on (slug, authorId) does not lead with authorId; the new one goes after the existing block attributes.
        schema: 'model User {\n    id    BigInt @id\n    posts Post[]\n}\n\nmodel Post {\n    id       BigInt @id\n    slug     String\n    authorId BigInt\n    author   User   @relation(fields: [authorId], references: [id])\n\n    @@index([slug, authorId])\n}\n',
        on: '@relation(fields: [authorId], references: [id])',
        output: 'model User {\n    id    BigInt @id\n    posts Post[]\n}\n\nmodel Post {\n    id       BigInt @id\n    slug     String\n    authorId BigInt\n    author   User   @relation(fields: [authorId], references: [id])\n\n    @@index([slug, authorId])\n    @@index([authorId])\n}\n',
      },
    ],
  });

  table('missing-primary-key', {
    valid: ['model A {\n  id BigInt @id\n}\n', 'model A {\n  a BigInt\n  b BigInt\n\n  @@id([a, b])\n}\n'],
    invalid: [{ schema: 'model Log {\n  at   DateTime @unique @db.Timestamptz(3)\n  text String\n}\n', on: 'Log', message: /has no @id or @@id/, output: null }],
  });

  table('duplicate-index', {
    valid: [
      'model A {\n  id BigInt @id\n  a  String\n  b  String\n\n  @@index([a, b])\n  @@index([b])\n}\n',
      // LIKE 'x%' and jsonb_path_ops containment need their own operator classes.
      'model A {\n  id BigInt @id\n  a  String\n  d  Json\n\n  @@index([a(ops: raw("text_pattern_ops"))])\n  @@index([a])\n  @@index([d(ops: JsonbPathOps)], type: Gin)\n  @@index([d], type: Gin)\n}\n',
      'model A {\n  id BigInt @id\n  a  Int\n  b  Int\n\n  @@index([a, b(sort: Desc)])\n  @@index([a, b])\n}\n',
    ],
    invalid: [
      {
        schema: 'model A {\n  id BigInt @id\n  a  String\n  b  String\n\n  @@index([a])\n  @@index([a, b])\n}\n',
        on: '@@index([a])',
        message: /@@index\(\[a, b\]\) starts with the same columns/,
        output: 'model A {\n  id BigInt @id\n  a  String\n  b  String\n\n  @@index([a, b])\n}\n',
      },
      {
        schema: 'model A {\n  id    BigInt @id\n  email String @unique\n\n  @@index(email)\n}\n',
        on: '@@index(email)',
        message: /@unique on email covers the same columns/,
        output: 'model A {\n  id    BigInt @id\n  email String @unique\n\n}\n',
      },
      {
        schema: 'model A {\n  id    BigInt @id\n  email String @unique\n\n  @@index([email]) // lookups by email\n}\n',
        on: '@@index([email])',
        message: /@unique on email covers the same columns/,
        output: 'model A {\n  id    BigInt @id\n  email String @unique\n\n}\n',
      },
    ],
  });

  table('money-as-float', {
    valid: ['model A {\n  id    BigInt  @id\n  price Decimal @db.Decimal(12, 2)\n  ratio Float\n}\n'],
    invalid: [
      {
        // Plain @db.Decimal (Postgres numeric without precision/scale): exact, nothing rounded, no overflow.
        schema: 'model A {\n  id    BigInt @id\n  price Float?\n}\n',
        on: 'price Float?',
        message: /^(?!.*12, ?2)A\.price is Float.*use Decimal @db\.Decimal \(exact decimal.*precision\/scale only when you know the range.*ACCESS EXCLUSIVE lock.*15 significant digits.*Prisma\.Decimal/,
        output: 'model A {\n  id    BigInt @id\n  price Decimal? @db.Decimal\n}\n',
      },
      {
        schema: 'model A {\n  id         BigInt @id\n  unitAmount Float  @default(0) @db.DoublePrecision\n}\n',
        on: 'unitAmount Float  @default(0) @db.DoublePrecision',
        output: 'model A {\n  id         BigInt @id\n  unitAmount Decimal  @default(0) @db.Decimal\n}\n',
      },
      {
        schema: 'model A {\n  id BigInt @id\n  x  Float  @map("total_cost")\n}\n',
        on: 'x  Float  @map("total_cost")',
        output: 'model A {\n  id BigInt @id\n  x  Decimal @db.Decimal  @map("total_cost")\n}\n',
      },
      {
        // Sub-cent unit prices: Decimal(12, 2) would round 0.0049 to 0.00; a real converts with 6 significant digits.
        schema: 'model LineItem {\n  id        BigInt @id\n  unitPrice Float  @db.Real\n}\n',
        on: 'unitPrice Float  @db.Real',
        message: /^(?!.*12, ?2)LineItem\.unitPrice is Float \(real\).*6 significant digits/,
        output: 'model LineItem {\n  id        BigInt @id\n  unitPrice Decimal  @db.Decimal\n}\n',
      },
    ],
  });

  table('prefer-timestamptz', {
    valid: ['model A {\n  id BigInt   @id\n  at DateTime @db.Timestamptz(3)\n  on DateTime @db.Date\n}\n'],
    invalid: [
      {
        schema: 'model A {\n  id        BigInt   @id\n  createdAt DateTime @default(now())\n}\n',
        on: 'createdAt DateTime @default(now())',
        message: /timestamp without time zone/,
        output: 'model A {\n  id        BigInt   @id\n  createdAt DateTime @db.Timestamptz(3) @default(now())\n}\n',
      },
      {
        schema: 'model A {\n  id     BigInt    @id\n  seenAt DateTime? @db.Timestamp(6)\n}\n',
        on: 'seenAt DateTime? @db.Timestamp(6)',
        output: 'model A {\n  id     BigInt    @id\n  seenAt DateTime? @db.Timestamptz(6)\n}\n',
      },
    ],
  });

  table('prefer-bigint-over-int', {
    valid: ['model A {\n  id    BigInt @id @default(autoincrement())\n  count Int\n}\n'],
    invalid: [
      {
        schema: 'model A {\n  id Int @id @default(autoincrement())\n}\n',
        on: 'id Int @id @default(autoincrement())',
        message: /2,147,483,647/,
        output: 'model A {\n  id BigInt @id @default(autoincrement())\n}\n',
      },
      {
        schema:
          'model User {\n  id    Int    @id @db.Integer\n  posts Post[]\n}\n\nmodel Post {\n  id       BigInt @id\n  authorId Int\n  author   User   @relation(fields: [authorId], references: [id])\n\n  @@index([authorId])\n}\n',
        on: 'id    Int    @id @db.Integer',
        message: /use BigInt \(with Post\.authorId\)/,
        output:
          'model User {\n  id    BigInt    @id\n  posts Post[]\n}\n\nmodel Post {\n  id       BigInt @id\n  authorId BigInt\n  author   User   @relation(fields: [authorId], references: [id])\n\n  @@index([authorId])\n}\n',
      },
    ],
  });

  table('prefer-uuid-type', {
    valid: [
      'model A {\n  id   String @id @default(uuid()) @db.Uuid\n  slug String @default(cuid())\n}\n',
      // Ids the application fills with another scheme: a uuid column would reject every one of them.
      'model A {\n  id String @id @default(cuid())\n}\n',
      'model A {\n  id String @id @default(cuid(2))\n}\n',
      'model A {\n  id  String @id @default(nanoid())\n  key String @default(nanoid(36)) @db.VarChar(36)\n}\n',
      'model A {\n  id String @id @default(ulid()) @db.Char(36)\n}\n',
      'model A {\n  id   String @id @default(dbgenerated("generate_ulid()"))\n  cuid String @unique @db.VarChar(36)\n}\n',
      'model A {\n  id String @id\n}\n',
      'model User {\n  id    String @id @default(cuid())\n  posts Post[]\n}\n\nmodel Post {\n  id       BigInt @id\n  authorId String\n  author   User   @relation(fields: [authorId], references: [id])\n\n  @@index([authorId])\n}\n',
    ],
    invalid: [
      {
        // No fix: on an existing table Prisma Migrate has no text → uuid cast and drops and recreates the column.
        schema: 'model A {\n  id String @id @default(uuid())\n}\n',
        on: 'id String @id @default(uuid())',
        message: /holds uuid\(\) values as text.*add @db\.Uuid.*Prisma Migrate has no cast from text to uuid: it drops and recreates the column/,
        output: null,
      },
      {
        schema:
          'model User {\n  id    String @id @default(dbgenerated("gen_random_uuid()")) @db.Text\n  posts Post[]\n}\n\nmodel Post {\n  id       BigInt @id\n  authorId String\n  author   User   @relation(fields: [authorId], references: [id])\n\n  @@index([authorId])\n}\n',
        on: 'id    String @id @default(dbgenerated("gen_random_uuid()")) @db.Text',
        message: /add @db\.Uuid to User\.id and Post\.authorId.*drops and recreates the columns.*foreign keys/,
        output: null,
      },
      {
        schema: 'model A {\n  id String @id @default(uuid(7))\n}\n',
        on: 'id String @id @default(uuid(7))',
        message: /holds uuid\(7\) values as text/,
        output: null,
      },
      {
        schema: 'model A {\n  id String @id @db.Char(36)\n}\n',
        on: 'id String @id @db.Char(36)',
        message: /A\.id is char\(36\), the length of a UUID.*if every value is a UUID/,
        output: null,
      },
    ],
  });

  table('prefer-jsonb', {
    valid: ['model A {\n  id   BigInt @id\n  data Json\n}\n'],
    invalid: [{ schema: 'model A {\n  id   BigInt @id\n  data Json   @db.Json\n}\n', on: '@db.Json', output: 'model A {\n  id   BigInt @id\n  data Json\n}\n' }],
  });

  table('ban-char-field', {
    valid: ['model A {\n  id   BigInt @id\n  code String @db.VarChar(2)\n}\n'],
    invalid: [{ schema: 'model A {\n  id   BigInt @id\n  code String @db.Char(2)\n}\n', on: '@db.Char(2)', output: 'model A {\n  id   BigInt @id\n  code String @db.VarChar(2)\n}\n' }],
  });

  const longName = 'x'.repeat(64);
  table('identifier-too-long', {
    valid: [`model A {\n  id BigInt @id\n  ${'y'.repeat(63)} String\n}\n`],
    invalid: [
      { schema: `model A {\n  id BigInt @id\n\n  @@map("${longName}")\n}\n`, on: `@@map("${longName}")`, message: /is 64 bytes/, output: null },
      { schema: `model A {\n  id BigInt @id\n  b  String @map("${longName}")\n}\n`, on: `@map("${longName}")`, output: null },
      { schema: `model A {\n  id BigInt @id\n  b  String\n\n  @@index([b], map: "${longName}")\n}\n`, on: `@@index([b], map: "${longName}")`, output: null },
    ],
  });
});

describe('prisma lint', () => {
  it('lints the blog fixture: each finding on its field or attribute', () => {
    const text = fixture('blog.prisma');
    const found = lintPrismaSchema(text, 'blog.prisma').map((f) => [f.ruleId, f.severity, f.range.start.line + 1, at(text, f).split(' ')[0]]);
    assert.deepEqual(found, [
      ['prefer-bigint-over-int', 'info', 19, 'id'],
      ['prefer-timestamptz', 'warning', 22, 'createdAt'],
      ['prefer-uuid-type', 'info', 28, 'id'],
      ['money-as-float', 'warning', 31, 'price'],
      ['fk-without-index', 'warning', 33, '@relation(fields:'],
      ['duplicate-index', 'warning', 38, '@@index([published])'],
      ['prefer-bigint-over-int', 'info', 43, 'id'],
      ['fk-without-index', 'warning', 46, '@relation(fields:'],
      ['prefer-bigint-over-int', 'info', 54, 'id'],
    ]);
  });

  it('fk-without-index fires under relationMode = "prisma" too', () => {
    const findings = lintPrismaSchema(fixture('relation-mode-prisma.prisma'), 'r.prisma');
    assert.deepEqual(findings.map((f) => f.ruleId), ['fk-without-index']);
    assert.match(findings[0].message, /relationMode = "prisma"/);
  });

  it('applies no Postgres rule to a schema for another provider (their fixes do not exist there)', () => {
    for (const provider of ['mysql', 'mongodb', 'sqlite']) {
      const text = `datasource db {\n  provider = "${provider}"\n  url      = env("DATABASE_URL")\n}\n\nmodel A {\n  id    Int      @id\n  price Float\n  at    DateTime\n}\n`;
      assert.deepEqual(lintPrismaSchema(text, 'a.prisma'), [], provider);
    }
  });

  it('takes severities from the config, and "off" silences a rule', () => {
    const text = DATASOURCE + 'model A {\n  id    BigInt @id\n  price Float\n  at    DateTime\n}\n';
    const findings = lintPrismaSchema(text, 'a.prisma', configWith({ 'money-as-float': 'error', 'prefer-timestamptz': 'off' }));
    assert.deepEqual(findings.map((f) => [f.ruleId, f.severity]), [['money-as-float', 'error']]);
  });

  it('honours // pglens-ignore comments', () => {
    const text = DATASOURCE + 'model A {\n  id    BigInt @id\n  // pglens-ignore money-as-float\n  price Float\n  at    DateTime // pglens-ignore prefer-timestamptz\n}\n';
    assert.deepEqual(lintPrismaSchema(text, 'a.prisma'), []);
    const fileWide = `// pglens-ignore-file money-as-float\n${DATASOURCE}model A {\n  id    BigInt @id\n  price Float\n}\n`;
    assert.deepEqual(lintPrismaSchema(fileWide, 'a.prisma'), []);
  });

  it('a multi-file schema resolves relations across files; a fix needing edits in two files is message-only', () => {
    const files = [
      { file: 'schema/user.prisma', text: `${DATASOURCE}model User {\n  id    Int @id\n  posts Post[]\n}\n` },
      { file: 'schema/post.prisma', text: 'model Post {\n  id       BigInt @id\n  authorId Int\n  author   User   @relation(fields: [authorId], references: [id])\n}\n' },
    ];
    const findings = lintPrismaFiles(files);
    assert.deepEqual(findings.map((f) => [f.file, f.ruleId]), [
      ['schema/user.prisma', 'prefer-bigint-over-int'],
      ['schema/post.prisma', 'fk-without-index'],
    ]);
    assert.equal(findings[0].fix, undefined);
    assert.match(findings[0].message, /Post\.authorId/);
    const post = files[1].text;
    assert.equal(
      applyEdits(post, findings[1].fix!.edits),
      'model Post {\n  id       BigInt @id\n  authorId Int\n  author   User   @relation(fields: [authorId], references: [id])\n\n  @@index([authorId])\n}\n',
    );
  });

  it('keeps CRLF line endings in fixes', () => {
    const text = (DATASOURCE + 'model User {\n  id    BigInt @id\n  posts Post[]\n}\n\nmodel Post {\n  id       BigInt @id\n  authorId BigInt\n  author   User   @relation(fields: [authorId], references: [id])\n}\n').replace(/\n/g, '\r\n');
    const [f] = lintOnly('fk-without-index', text);
    assert.ok(fixed(text, f).endsWith('author   User   @relation(fields: [authorId], references: [id])\r\n\r\n  @@index([authorId])\r\n}\r\n'));
  });
});
