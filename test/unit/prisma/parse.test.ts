import assert from 'node:assert/strict';
import { parsePrismaFiles, parsePrismaSchema } from '../../../src/core/prisma/parse';
import { lintPrismaSchema } from '../../../src/core/prisma/lint';
import { fixture } from './helpers';

function only(text: string) {
  const doc = parsePrismaSchema(text, 'schema.prisma');
  assert.equal(doc.diagnostics.length, 1, JSON.stringify(doc.diagnostics));
  const d = doc.diagnostics[0];
  assert.equal(d.ruleId, 'syntax-error');
  assert.equal(d.severity, 'error');
  assert.equal(doc.models.length, 0);
  return { d, covered: text.slice(d.range.startOffset, d.range.endOffset) };
}

describe('prisma/parse', () => {
  it('reads models, fields, attributes and their exact source ranges', () => {
    const text = fixture('blog.prisma');
    const doc = parsePrismaSchema(text, 'blog.prisma');
    assert.deepEqual(doc.diagnostics, []);
    assert.deepEqual(doc.models.map((m) => m.name), ['User', 'Post', 'Comment', 'Category']);
    assert.equal(doc.datasource?.provider, 'postgresql');
    const post = doc.models[1];
    const price = post.fields.find((f) => f.name === 'price')!;
    assert.equal(text.slice(price.typeRange.startOffset, price.typeRange.endOffset), 'Float');
    assert.equal(text.slice(price.typeRange.startOffset, price.typeEndOffset), 'Float?');
    assert.equal(price.optional, true);
    const author = post.fields.find((f) => f.name === 'author')!;
    const relation = author.attributes.find((a) => a.name === 'relation')!;
    assert.equal(text.slice(relation.range.startOffset, relation.range.endOffset), '@relation(fields: [authorId], references: [id])');
    const updated = post.fields.find((f) => f.name === 'updatedAt')!;
    assert.deepEqual(updated.attributes.map((a) => text.slice(a.range.startOffset, a.range.endOffset)), ['@updatedAt', '@db.Timestamptz(3)']);
    assert.equal(text.slice(post.headerRange.startOffset, post.headerRange.endOffset), 'model Post {');
    assert.equal(post.headerRange.start.line, text.split('\n').findIndex((l) => l === 'model Post {'));
    assert.equal(text[post.closeOffset], '}');
    assert.equal(post.indent, '  ');
    assert.deepEqual(post.attributes.map((a) => text.slice(a.range.startOffset, a.range.endOffset)), ['@@index([published])', '@@index([published, title])']);
    const role = doc.enums[0];
    assert.equal(role.dbName, 'user_role');
    assert.deepEqual(role.values, [{ name: 'READER', dbName: 'READER' }, { name: 'AUTHOR', dbName: 'author' }]);
  });

  it('reads list and Unsupported types', () => {
    const text = 'model A {\n  id   Int @id\n  tags String[] @db.VarChar(3)\n  doc  Unsupported("tsvector")?\n}\n';
    const [m] = parsePrismaSchema(text, 'a.prisma').models;
    const tags = m.fields[1];
    assert.equal(tags.list, true);
    assert.equal(text.slice(tags.typeRange.startOffset, tags.typeEndOffset), 'String[]');
    const doc = m.fields[2];
    assert.equal(doc.type, 'Unsupported');
    assert.equal(doc.unsupported, 'tsvector');
    assert.equal(text.slice(doc.typeRange.startOffset, doc.typeEndOffset), 'Unsupported("tsvector")?');
  });

  it('blanks /* */ comments, keeping offsets, and leaves "/*" inside strings and // comments alone', () => {
    const text = fixture('block-comments.prisma');
    const doc = parsePrismaSchema(text, 'c.prisma');
    assert.deepEqual(doc.diagnostics, []);
    const order = doc.models[0];
    assert.deepEqual(order.fields.map((f) => f.name), ['id', 'amount', 'note']);
    const id = order.fields[0];
    assert.deepEqual(id.attributes.map((a) => text.slice(a.range.startOffset, a.range.endOffset)), ['@id', '@default(autoincrement())']);
    assert.equal(doc.files[0].text, text, 'the document keeps the original text');
  });

  it('merges a multi-file schema, keeping each model in its file', () => {
    const doc = parsePrismaFiles([
      { file: 'schema/base.prisma', text: 'datasource db {\n  provider = "postgresql"\n  url = env("X")\n}\n' },
      { file: 'schema/user.prisma', text: 'model User {\n  id    BigInt @id\n  posts Post[]\n}\n' },
      { file: 'schema/post.prisma', text: 'model Post {\n  id       BigInt @id\n  authorId BigInt\n  author   User @relation(fields: [authorId], references: [id])\n}\n' },
    ]);
    assert.deepEqual(doc.models.map((m) => [m.name, m.file]), [['User', 'schema/user.prisma'], ['Post', 'schema/post.prisma']]);
    assert.equal(doc.datasource?.provider, 'postgresql');
  });

  describe('bad schemas: one clear diagnostic, never a throw', () => {
    it('an unclosed attribute argument list', () => {
      const { d, covered } = only(fixture('syntax-error.prisma'));
      assert.match(d.message, /Unclosed `\(`: add `\)`/);
      assert.equal(covered, '(');
      assert.equal(d.range.start.line, 7);
    });
    it('a half-typed field names the field and what to write', () => {
      const { d, covered } = only(fixture('half-typed.prisma'));
      assert.equal(d.message, 'Field `name` in model User has no type: write e.g. `name String`');
      assert.equal(covered, 'name');
    });
    it('a model still being typed at the end of the file', () => {
      const { d, covered } = only('model User {\n  id Int @id\n  email Str');
      assert.match(d.message, /model User is never closed: add `}`/);
      assert.equal(covered, 'User');
    });
    it('an unknown block keyword', () => {
      const { d, covered } = only('modle User {\n  id Int @id\n}\n');
      assert.match(d.message, /Unknown block type `modle`/);
      assert.equal(covered, 'modle');
    });
    it('a stray `}`', () => {
      const { d } = only('model A {\n  id Int @id\n}\n}\n');
      assert.match(d.message, /Unexpected `}`/);
      assert.equal(d.range.start.line, 3);
    });
    it('a character the grammar has no token for', () => {
      const { d, covered } = only('model A {\n  id Int @id $\n}\n');
      assert.equal(covered, '$');
      assert.match(d.message, /Unexpected character/);
    });
    it('an `@` with no attribute name', () => {
      const { d } = only('model A {\n  id Int @id\n  name String @\n}\n');
      assert.match(d.message, /`@` must be followed by an attribute name/);
    });
    it('an unterminated block comment', () => {
      const { d, covered } = only('model A {\n  id Int @id /* note\n}\n');
      assert.equal(covered, '/*');
      assert.match(d.message, /Unterminated `\/\*` comment/);
    });
    it('a model with no name', () => {
      const { d } = only('model {\n  id Int @id\n}\n');
      assert.match(d.message, /needs a name before `\{`/);
    });
    it('lint returns only the syntax error, and every prefix of a real schema lints without throwing', () => {
      const text = fixture('blog.prisma');
      const findings = lintPrismaSchema(fixture('half-typed.prisma'), 'h.prisma');
      assert.deepEqual(findings.map((f) => f.ruleId), ['syntax-error']);
      for (let end = 0; end <= text.length; end += 13) {
        const result = lintPrismaSchema(text.slice(0, end), 'blog.prisma');
        const errors = result.filter((f) => f.ruleId === 'syntax-error');
        assert.ok(errors.length <= 1 || errors.every((e) => /Unknown type|not a field/.test(e.message)), `prefix ${end}: ${JSON.stringify(errors)}`);
      }
    });
  });
});
