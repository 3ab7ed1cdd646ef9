import assert from 'node:assert/strict';
import { lintPrismaSchema } from '../../../src/core/prisma/lint';
import { DATASOURCE, at, configWith, fixed } from './helpers';

/** The Prisma face of naming-convention: database names (`@@map`/`@map`) are what is checked. */
function lint(text: string, options: Record<string, unknown> = {}) {
  return lintPrismaSchema(text, 'schema.prisma', configWith({ 'naming-convention': ['warning', options] })).filter((f) => f.ruleId === 'naming-convention' || f.ruleId === 'syntax-error');
}

describe('prisma naming-convention', () => {
  it('is off by default', () => {
    const text = DATASOURCE + 'model UserAccount {\n  id Int @id\n}\n';
    assert.deepEqual(lintPrismaSchema(text, 'schema.prisma').filter((f) => f.ruleId === 'naming-convention'), []);
  });

  it('accepts models and fields mapped to snake_case names', () => {
    const text =
      DATASOURCE +
      'model User {\n  id       Int           @id\n  accounts UserAccount[]\n  @@map("users")\n}\n\n' +
      'model UserAccount {\n  id        Int      @id\n  userId    Int      @map("user_id")\n  createdAt DateTime @default(now()) @map("created_at")\n  user      User     @relation(fields: [userId], references: [id])\n\n  @@map("user_accounts")\n}\n';
    assert.deepEqual(lint(text, { tables: 'snake_case_plural' }), []);
  });

  it('adds @@map with the plural snake_case name', () => {
    const text = DATASOURCE + 'model UserAccount {\n  id Int @id\n}\n';
    const [f] = lint(text, { tables: 'snake_case_plural' });
    assert.match(f.message, /^model UserAccount \(table "UserAccount"\) breaks the naming convention: table names are snake_case and plural; map it to "user_accounts" \(@@map\)/);
    assert.match(f.message, /--create-only and make it ALTER TABLE … RENAME TO/);
    assert.equal(at(text, f), 'UserAccount');
    assert.equal(fixed(text, f), DATASOURCE + 'model UserAccount {\n  id Int @id\n\n  @@map("user_accounts")\n}\n');
  });

  it('changes a @@map that breaks the convention', () => {
    const text = DATASOURCE + 'model Category {\n  id Int @id\n\n  @@map("Category")\n}\n';
    const [f] = lint(text, { tables: 'snake_case_plural' });
    assert.equal(at(text, f), '@@map("Category")');
    assert.equal(fixed(text, f), DATASOURCE + 'model Category {\n  id Int @id\n\n  @@map("categories")\n}\n');
  });

  it('adds @map to camelCase fields, after their attributes', () => {
    const text = DATASOURCE + 'model post {\n  id        Int      @id\n  createdAt DateTime @default(now())\n}\n';
    const findings = lint(text, { tables: 'snake_case' });
    assert.equal(findings.length, 1);
    assert.match(findings[0].message, /^post\.createdAt \(column "createdAt"\) breaks the naming convention: column names are snake_case; map it to "created_at" \(@map\)/);
    assert.equal(fixed(text, findings[0]), DATASOURCE + 'model post {\n  id        Int      @id\n  createdAt DateTime @default(now()) @map("created_at")\n}\n');
  });

  it('checks foreign key columns under their mapped names', () => {
    const text =
      DATASOURCE +
      'model users {\n  id    Int     @id\n  posts posts[]\n}\n\nmodel posts {\n  id    Int   @id\n  owner Int\n  user  users @relation(fields: [owner], references: [id])\n}\n';
    const [f] = lint(text);
    assert.match(f.message, /^posts\.owner \(column "owner"\) breaks the naming convention: foreign key columns follow one of the templates "\{name\}_\{ref_column\}", "\{name\}_by", "\{name\}_to"; map it to "owner_id"/);
    assert.match(fixed(text, f), /owner Int @map\("owner_id"\)/);
  });

  it('names an index through map:', () => {
    const text = DATASOURCE + 'model users {\n  id    Int    @id\n  email String\n\n  @@index([email])\n}\n';
    const [f] = lint(text, { indexes: 'idx_{table}_{columns}' });
    assert.match(f.message, /^@@index of users \(index "users_email_idx"\) breaks the naming convention/);
    assert.match(fixed(text, f), /@@index\(\[email\], map: "idx_users_email"\)/);
  });

  it('leaves implicit many-to-many tables alone', () => {
    const text = DATASOURCE + 'model posts {\n  id   Int    @id\n  tags tags[]\n}\n\nmodel tags {\n  id    Int     @id\n  posts posts[]\n}\n';
    assert.deepEqual(lint(text), []);
  });
});
