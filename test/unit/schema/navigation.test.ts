import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadSqlParser } from '../../../src/core/sql/parse';
import { parsePart, type LintPart } from '../../../src/core/lint/engine';
import { buildSchemaIndex, type SchemaIndex } from '../../../src/core/schema/schema-index';
import {
  completionsAt,
  definitionAt,
  describeTarget,
  hoverAt,
  largeDocumentNote,
  nameDiagnostics,
  navigationDocument,
  referencesTo,
  targetAt,
  type DocumentLanguage,
  type NavigationDocument,
} from '../../../src/core/schema/navigation';
import type { NameTarget } from '../../../src/core/schema/sql-names';
import { WorkspaceSchemas } from '../../../src/core/schema/workspace-schemas';

const MIGRATIONS: Record<string, string> = {
  '/w/migrations/001_init.sql': [
    'CREATE TABLE users (',
    '  id bigint PRIMARY KEY,',
    '  email text NOT NULL UNIQUE,',
    '  "displayName" text',
    ');',
    "COMMENT ON TABLE users IS 'People who sign in';",
    "COMMENT ON COLUMN users.email IS 'Login, lower-cased';",
    'CREATE TABLE people (id int PRIMARY KEY, name text);',
    'CREATE SCHEMA billing;',
    'CREATE TABLE billing.invoices (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id), amount_cents bigint NOT NULL);',
    'CREATE INDEX invoices_user_idx ON billing.invoices (user_id);',
    'CREATE TABLE "Order Items" ("Qty" int NOT NULL, sku text);',
    'CREATE VIEW active_users AS SELECT id, email FROM users;',
    'CREATE TABLE events (id bigint, kind text);',
    'CREATE TABLE billing.events (id bigint, amount_cents bigint);',
  ].join('\n'),
  '/w/migrations/002_rename.sql': [
    'ALTER TABLE people RENAME TO customers;',
    'ALTER TABLE customers RENAME COLUMN name TO full_name;',
    'ALTER TABLE customers ADD COLUMN country text;',
    'SET search_path TO audit;',
    'CREATE TABLE log (at timestamptz NOT NULL);',
  ].join('\n'),
};

function indexOf(files: Record<string, string>): SchemaIndex {
  const parts: LintPart[] = Object.entries(files).map(([file, text]) => ({ file, text, direction: 'up' }));
  return buildSchemaIndex(parts, { label: 'migrations/', folder: '/w/migrations', parse: (p) => parsePart(p, false), displayPath: (f) => path.basename(f) });
}

/** A document with `¦` marking the cursor. */
function doc(marked: string, language: DocumentLanguage = 'sql', file?: string): { doc: NavigationDocument; offset: number } {
  const offset = marked.indexOf('¦');
  assert.ok(offset >= 0, `no cursor in ${marked}`);
  const text = marked.slice(0, offset) + marked.slice(offset + 1);
  return { doc: navigationDocument(text, language, file), offset };
}

/** Hover Markdown with its backslash escapes removed: the text as it reads once rendered (code spans aside). */
function plain(md: string): string {
  return md.replace(/\\([!-/:-@[-`{-~])/g, '$1');
}

function describe_(target: NameTarget | undefined): string | undefined {
  if (!target) return undefined;
  switch (target.kind) {
    case 'table':
      return `table ${target.table.schema}.${target.table.name}`;
    case 'column':
      return `column ${target.table.schema}.${target.table.name}.${target.column.name}`;
    case 'relation':
      return `${target.relation.kind} ${target.relation.schema}.${target.relation.name}`;
    case 'schema':
      return `schema ${target.schema}`;
  }
}

describe('schema navigation', () => {
  let index: SchemaIndex;
  before(async () => {
    await loadSqlParser();
    index = indexOf(MIGRATIONS);
  });

  it('indexes the replayed schema: tables, views, renames, comments, search_path', () => {
    assert.equal(index.incomplete, undefined);
    assert.deepEqual([...index.schema.tables.keys()].sort(), ['audit.log', 'billing.events', 'billing.invoices', 'public.Order Items', 'public.customers', 'public.events', 'public.users']);
    assert.equal(index.schema.tables.get('public.users')!.comment, 'People who sign in');
    assert.equal(index.schema.tables.get('public.users')!.columns.find((c) => c.name === 'email')!.comment, 'Login, lower-cased');
    assert.deepEqual([...index.relations.keys()], ['public.active_users']);
    const customers = index.schema.tables.get('public.customers')!;
    assert.deepEqual(index.renames.get(customers)?.map((r) => [r.from, r.to]), [['people', 'customers']]);
    assert.deepEqual(index.renames.get(customers.columns.find((c) => c.name === 'full_name')!)?.map((r) => [r.from, r.to]), [['name', 'full_name']]);
  });

  describe('what a name refers to (hover and definition)', () => {
    const cases: Array<[string, string, string | undefined, DocumentLanguage?]> = [
      ['a table after FROM', 'SELECT * FROM us¦ers', 'table public.users'],
      ['a column through an alias', 'SELECT u.em¦ail FROM users u', 'column public.users.email'],
      ['an alias, as its table', 'SELECT ¦u.email FROM users u', 'table public.users'],
      ['a quoted column', 'SELECT "display¦Name" FROM users', 'column public.users.displayName'],
      ['a quoted table and column', 'SELECT "Q¦ty" FROM "Order Items"', 'column public.Order Items.Qty'],
      ['a schema-qualified table', 'SELECT * FROM billing.inv¦oices', 'table billing.invoices'],
      ['the schema of a qualified name', 'SELECT * FROM bil¦ling.invoices', 'schema billing'],
      ['a column in a JOIN condition', 'SELECT 1 FROM billing.invoices i JOIN users u ON u.id = i.user¦_id', 'column billing.invoices.user_id'],
      ['a column renamed in a later migration', 'SELECT full¦_name FROM customers', 'column public.customers.full_name'],
      ['a table renamed in a later migration', 'SELECT * FROM custo¦mers', 'table public.customers'],
      ['unqualified: public first', 'SELECT * FROM eve¦nts', 'table public.events'],
      ['unqualified: the document\'s search_path', 'SET search_path TO billing;\nSELECT amount_cents FROM eve¦nts', 'table billing.events'],
      ['unqualified: the only table of that name', 'SELECT at FROM l¦og', 'table audit.log'],
      ['a view', 'SELECT * FROM active¦_users', 'view public.active_users'],
      ['an outer column in a correlated subquery', 'SELECT (SELECT count(*) FROM billing.invoices i WHERE i.user_id = u.i¦d) FROM users u', 'column public.users.id'],
      ['a column of a subquery (not knowable)', 'SELECT x.i¦d FROM (SELECT id FROM users) x', undefined],
      ['a CTE shadowing a table', 'WITH users AS (SELECT 1 AS id) SELECT id FROM us¦ers', undefined],
      ['INSERT column list', 'INSERT INTO users (id, em¦ail) VALUES (1, $1)', 'column public.users.email'],
      ['UPDATE SET target', 'UPDATE users SET em¦ail = lower(email) WHERE id = 1', 'column public.users.email'],
      ['INSERT … RETURNING', 'INSERT INTO users (id, email) VALUES (1, $1) RETURNING id, em¦ail', 'column public.users.email'],
      ['UPDATE … RETURNING', 'UPDATE users SET email = $1 WHERE id = 1 RETURNING em¦ail', 'column public.users.email'],
      ['DELETE … RETURNING through an alias', 'DELETE FROM users u WHERE id = 1 RETURNING u.em¦ail', 'column public.users.email'],
      ['ON CONFLICT excluded', 'INSERT INTO users (id, email) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET email = excluded.em¦ail', 'column public.users.email'],
      ['a half-typed statement (token fallback)', 'SELECT u.em¦ail, FROM users u WHERE', 'column public.users.email'],
      ['a half-typed table', 'SELECT * FROM billing.invo¦ices WHERE', 'table billing.invoices'],
      ['a keyword is nothing', 'SEL¦ECT 1', undefined],
      ['a template literal', 'const q = sql`SELECT em¦ail FROM users WHERE id = ${id}`;', 'column public.users.email', 'script'],
      ['a template literal after a substitution', 'const a = 1;\nconst q = sql`SELECT * FROM users WHERE id = ${a} AND em¦ail = ${b}`;', 'column public.users.email', 'script'],
      ['outside any template literal', 'const users = 1; // us¦ers', undefined, 'script'],
    ];
    for (const [title, marked, expected, language] of cases) {
      it(title, () => {
        const { doc: d, offset } = doc(marked, language ?? 'sql');
        const found = targetAt(index, d, offset);
        assert.equal(describe_(found?.target), expected);
        if (found) {
          const name = d.text.slice(found.range.startOffset, found.range.endOffset);
          assert.ok(name.length > 0 && offset >= found.range.startOffset && offset <= found.range.endOffset, `range ${name}`);
          assert.equal(found.range.start.line, d.lines.positionAt(found.range.startOffset).line, 'document line');
        }
      });
    }

    it('in the set\'s own migrations, names resolve as they were at that point (before a rename)', () => {
      const file = '/w/migrations/002_rename.sql';
      const text = MIGRATIONS[file];
      const d = navigationDocument(text, 'sql', file);
      assert.equal(describe_(targetAt(index, d, text.indexOf('people') + 1)?.target), 'table public.customers');
      assert.equal(describe_(targetAt(index, d, text.indexOf('COLUMN name') + 8)?.target), 'column public.customers.full_name');
      assert.equal(describe_(targetAt(index, d, text.indexOf('country') + 1)?.target), 'column public.customers.country');
      const first = navigationDocument(MIGRATIONS['/w/migrations/001_init.sql'], 'sql', '/w/migrations/001_init.sql');
      assert.equal(describe_(targetAt(index, first, first.text.indexOf('name text') + 1)?.target), 'column public.customers.full_name');
      assert.equal(describe_(targetAt(index, first, first.text.indexOf('users (id)') + 1)?.target), 'table public.users');
    });
  });

  describe('hover text', () => {
    it('a table: columns with types and constraints, indexes, referencing tables, comment, where defined', () => {
      const { doc: d, offset } = doc('SELECT * FROM us¦ers');
      const md = plain(hoverAt(index, d, offset)!.markdown);
      for (const part of ['**users** — table', '*People who sign in*', '| `id` | `bigint` | PK · NOT NULL |', '| `email` | `text` | NOT NULL · UNIQUE |', '`users_email_key` (email) unique', '**Referenced by:** `billing.invoices(user_id)`', 'Defined in 001_init.sql:1']) {
        assert.ok(md.includes(part), `missing ${part} in\n${md}`);
      }
    });

    it('a column: type, comment, constraints, indexes, renames and where defined', () => {
      const email = plain(hoverAt(index, ...Object.values(doc('SELECT em¦ail FROM users')) as [NavigationDocument, number])!.markdown);
      assert.match(email, /\*\*users\.email\*\* — column `text`/);
      assert.match(email, /\*Login, lower-cased\*/);
      assert.match(email, /NOT NULL · UNIQUE/);
      assert.match(email, /Defined in 001_init\.sql:3/);
      const fk = plain(hoverAt(index, ...Object.values(doc('SELECT user¦_id FROM billing.invoices')) as [NavigationDocument, number])!.markdown);
      assert.match(fk, /FK → users\(id\)/);
      assert.match(fk, /`invoices_user_idx` \(user_id\)/);
      const renamed = plain(hoverAt(index, ...Object.values(doc('SELECT full¦_name FROM customers')) as [NavigationDocument, number])!.markdown);
      assert.match(renamed, /Defined in 001_init\.sql:8/);
      assert.match(renamed, /Renamed from `name` to `full_name` in 002_rename\.sql:2/);
    });

    it('links file positions when the editor passes a link maker', () => {
      const { doc: d, offset } = doc('SELECT * FROM custo¦mers');
      const md = hoverAt(index, d, offset, { link: (file, range) => `<${path.basename(file)}#${range.start.line + 1}>` })!.markdown;
      assert.match(md, /Defined in <001_init\.sql#8>/);
      assert.match(md, /Renamed from `people` to `customers` in <002_rename\.sql#1>/);
    });
  });

  describe('hover text from hostile migrations', () => {
    // Names, comments, defaults and index predicates are the migrations' text: none may become markup.
    const HOSTILE = [
      'CREATE SCHEMA "evil](https://evil.example/s)";',
      'CREATE TABLE "evil](https://evil.example/s)".t1 (id int PRIMARY KEY);',
      'CREATE TABLE accounts (',
      '  id int PRIMARY KEY,',
      '  "x``![p](https://tracker.example/pixel.png)``y" text,',
      '  "`![q](https://tracker.example/q.png)`" text,',
      '  "a|b" text,',
      '  "line',
      '',
      '![nl](https://tracker.example/nl.png)" text,',
      "  note text DEFAULT 'q``[click](command:workbench.action.terminal.new)``',",
      '  "<img src=x onerror=alert(1)>" text,',
      '  "$(zap) https://evil.example/bare www.evil.example me@evil.example" text',
      ');',
      "COMMENT ON TABLE accounts IS '[click](command:workbench.action.terminal.new) <img src=x onerror=alert(1)> https://evil.example/a",
      '    indented',
      '',
      '# heading',
      "***';",
      "COMMENT ON COLUMN accounts.note IS 'see `x` and ``y`` [link](https://evil.example)';",
      "CREATE INDEX accounts_note_idx ON accounts (note) WHERE note <> '[click](https://evil.example/idx) ![i](https://tracker.example/i.png)';",
      'CREATE TABLE "[ref](https://evil.example/fk)" (id int PRIMARY KEY);',
      'CREATE TABLE child (id int, parent_id int REFERENCES "[ref](https://evil.example/fk)"(id));',
    ].join('\n');
    // Not dependencies of pglens (other tools bring them): imported by name, when present.
    const MARKED: string = 'marked';
    const MARKDOWN_IT: string = 'markdown-it';
    let hostile: SchemaIndex;
    let renderers: Array<[string, (md: string) => string]>;
    before(async () => {
      hostile = indexOf({ '/w/migrations/001_hostile.sql': HOSTILE });
      renderers = [];
      // VS Code renders hovers with marked (GFM); markdown-it is plain CommonMark. Either may be absent.
      try {
        const { marked } = await import(MARKED);
        renderers.push(['marked', (md) => marked.parse(md, { gfm: true, async: false }) as string]);
      } catch {
        /* not installed */
      }
      try {
        const MarkdownIt = (await import(MARKDOWN_IT)).default;
        const it = new MarkdownIt({ html: false });
        renderers.push(['markdown-it', (md) => it.render(md) as string]);
      } catch {
        /* not installed */
      }
    });

    const hovers = (): Array<[string, string]> => {
      const out: Array<[string, string]> = [];
      for (const table of hostile.schema.tables.values()) {
        out.push([`table ${table.name}`, describeTarget(hostile, { kind: 'table', table })]);
        for (const column of table.columns) out.push([`column ${column.name}`, describeTarget(hostile, { kind: 'column', table, column })]);
      }
      out.push(['schema', describeTarget(hostile, { kind: 'schema', schema: 'evil](https://evil.example/s)' })]);
      return out;
    };

    it('renders no link, image, HTML or heading, and keeps tables whole', () => {
      assert.equal(hostile.schema.tables.get('public.accounts')!.columns.length, 8);
      for (const [what, md] of hovers()) {
        for (const [name, render] of renderers) {
          const html = render(md);
          assert.doesNotMatch(html, /<(?:a|img|h\d|script|pre)\b/i, `${name}: ${what} renders markup:\n${md}\n${html}`);
          for (const row of html.match(/<tr>[\s\S]*?<\/tr>/g) ?? []) assert.equal(row.match(/<t[hd]\b/g)?.length, 3, `${name}: ${what}: a row with other than 3 cells:\n${row}`);
        }
      }
      if (renderers.length === 0) this_is_escaped(hovers());
    });

    it('escapes plain text and fences code the text cannot close', () => {
      this_is_escaped(hovers());
      const accounts = describeTarget(hostile, { kind: 'table', table: hostile.schema.tables.get('public.accounts')! });
      assert.ok(accounts.includes('| ```x``![p](https://tracker.example/pixel.png)``y``` |'), accounts);
      assert.ok(accounts.includes('| `a\\|b` |'), accounts);
      const note = hostile.schema.tables.get('public.accounts')!.columns.find((c) => c.name === 'note')!;
      const md = describeTarget(hostile, { kind: 'column', table: hostile.schema.tables.get('public.accounts')!, column: note });
      assert.ok(md.includes("DEFAULT ```'q``[click](command:workbench.action.terminal.new)``'```"), md);
      const child = hostile.schema.tables.get('public.child')!;
      const fk = describeTarget(hostile, { kind: 'column', table: child, column: child.columns[1] });
      assert.ok(fk.includes('FK → \\[ref\\]\\(https\\:\\/\\/evil\\.example\\/fk\\)(id)'), fk);
    });

    function this_is_escaped(list: Array<[string, string]>): void {
      for (const [what, md] of list) {
        // Outside code spans, no unescaped bracket, angle bracket, or line break inside a paragraph.
        const prose = md.replace(/(`+)[\s\S]*?\1/g, '');
        assert.doesNotMatch(prose, /(?<!\\)[[\]<>]/, `${what}:\n${md}`);
        assert.doesNotMatch(prose, /(?<!\\)https?:/, `${what}:\n${md}`);
        for (const block of md.split('\n\n')) if (!block.startsWith('|')) assert.ok(!block.includes('\n') || /  \n/.test(block), `${what}: a broken paragraph:\n${block}`);
      }
    }
  });

  describe('definition', () => {
    const cases: Array<[string, string, string, number, string]> = [
      ['a table: its CREATE TABLE name', 'SELECT * FROM us¦ers', '001_init.sql', 0, 'users'],
      ['a column: its definition', 'SELECT em¦ail FROM users', '001_init.sql', 2, 'email'],
      ['a quoted column', 'SELECT "display¦Name" FROM users', '001_init.sql', 3, '"displayName"'],
      ['a renamed column: where it was first defined', 'SELECT full¦_name FROM customers', '001_init.sql', 7, 'name'],
      ['an added column: its ADD COLUMN', 'SELECT countr¦y FROM customers', '002_rename.sql', 2, 'country'],
      ['a view', 'SELECT * FROM active¦_users', '001_init.sql', 12, 'active_users'],
    ];
    for (const [title, marked, file, line, name] of cases) {
      it(title, () => {
        const { doc: d, offset } = doc(marked);
        const [loc, ...rest] = definitionAt(index, d, offset);
        assert.equal(rest.length, 0);
        assert.equal(path.basename(loc.file), file);
        assert.equal(loc.range.start.line, line);
        const text = MIGRATIONS[loc.file];
        assert.equal(text.slice(loc.range.startOffset, loc.range.endOffset), name);
        if (loc.fullRange) assert.ok(loc.fullRange.startOffset <= loc.range.startOffset && loc.fullRange.endOffset >= loc.range.endOffset);
      });
    }

    it('a table\'s full range is its CREATE TABLE statement', () => {
      const { doc: d, offset } = doc('SELECT * FROM us¦ers');
      const [loc] = definitionAt(index, d, offset);
      assert.match(MIGRATIONS[loc.file].slice(loc.fullRange!.startOffset, loc.fullRange!.endOffset), /^CREATE TABLE users \([\s\S]*\)$/);
    });
  });

  describe('completion', () => {
    const cases: Array<[string, string, { has: string[]; not?: string[] } | undefined, DocumentLanguage?]> = [
      ['tables after FROM', 'SELECT * FROM ¦', { has: ['users', 'customers', 'events', 'Order Items', 'active_users', 'billing.invoices', 'billing'], not: ['id'] }],
      ['tables after JOIN, typed prefix', 'SELECT * FROM users u JOIN cu¦', { has: ['customers'] }],
      ['tables of a schema after `schema.`', 'SELECT * FROM billing.¦', { has: ['invoices', 'events'], not: ['users', 'billing.invoices'] }],
      ['columns after an alias', 'SELECT u.¦ FROM users u', { has: ['id', 'email', 'displayName'], not: ['full_name', 'users'] }],
      ['columns after a table name', 'SELECT users.¦ FROM users', { has: ['email'] }],
      ['columns in the SELECT list from a later FROM', 'SELECT ¦ FROM users', { has: ['id', 'email', 'users'] }],
      ['columns of every table in WHERE (half-typed)', 'SELECT * FROM users u JOIN billing.invoices i ON i.user_id = u.id WHERE ¦', { has: ['email', 'amount_cents', 'u', 'i'] }],
      ['columns after the alias of a schema-qualified table', 'SELECT * FROM users u JOIN billing.invoices i ON i.¦', { has: ['user_id', 'amount_cents'], not: ['email'] }],
      ['INSERT column list', 'INSERT INTO users (¦', { has: ['id', 'email'] }],
      ['INSERT column list, after a comma', 'INSERT INTO billing.invoices (id, ¦', { has: ['user_id'] }],
      ['UPDATE SET', 'UPDATE customers SET ¦', { has: ['full_name', 'country'], not: ['name'] }],
      ['after the statement before it', 'SELECT 1;\nSELECT c.¦\nFROM customers c', { has: ['full_name', 'country'] }],
      ['a view\'s columns', 'SELECT a.¦ FROM active_users a', { has: ['id', 'email'] }],
      ['nothing where an alias goes', 'SELECT * FROM users ¦', undefined],
      ['nothing after a column (an alias or keyword comes next)', 'SELECT id ¦ FROM users', undefined],
      ['nothing in CREATE TABLE', 'CREATE TABLE ¦', undefined],
      ['inside a template literal', 'const q = sql`SELECT u.¦ FROM users u`;', { has: ['email'] }, 'script'],
      ['outside a template literal', 'const q = users.¦', undefined, 'script'],
    ];
    for (const [title, marked, expected, language] of cases) {
      it(title, () => {
        const { doc: d, offset } = doc(marked, language ?? 'sql');
        const result = completionsAt(index, d, offset);
        if (!expected) {
          assert.ok(!result || result.items.length === 0, `unexpected items: ${result?.items.map((i) => i.label).join(', ')}`);
          return;
        }
        assert.ok(result, 'no completion');
        const labels = result.items.map((i) => i.label);
        for (const l of expected.has) assert.ok(labels.includes(l), `missing ${l} in ${labels.join(', ')}`);
        for (const l of expected.not ?? []) assert.ok(!labels.includes(l), `unexpected ${l} in ${labels.join(', ')}`);
      });
    }

    it('quotes names that need it and replaces the typed prefix, an opening quote included', () => {
      const plain = doc('SELECT u.¦ FROM users u');
      const camel = completionsAt(index, plain.doc, plain.offset)!.items.find((i) => i.label === 'displayName')!;
      assert.equal(camel.insertText, '"displayName"');
      const quoted = doc('SELECT * FROM "Ord¦');
      const result = completionsAt(index, quoted.doc, quoted.offset)!;
      const item = result.items.find((i) => i.label === 'Order Items')!;
      assert.equal(item.insertText, '"Order Items"');
      assert.equal(item.filterText, '"Order Items"');
      assert.equal(quoted.doc.text.slice(result.start, result.end), '"Ord');
      const schema = doc('SELECT * FROM ¦');
      assert.equal(completionsAt(index, schema.doc, schema.offset)!.items.find((i) => i.label === 'billing.invoices')!.insertText, 'billing.invoices');
    });

    it('maps the replaced range back into the TypeScript document', () => {
      const { doc: d, offset } = doc('const x = 1;\nconst q = sql`SELECT u.em¦ FROM users u`;', 'script');
      const result = completionsAt(index, d, offset)!;
      assert.equal(d.text.slice(result.start, result.end), 'em');
    });
  });

  describe('unknown tables and columns', () => {
    const cases: Array<[string, string, string[]]> = [
      ['an unknown column, with the closest name', 'SELECT emial FROM users', ['unknown-column: Unknown column "emial": table users has no such column (did you mean "email"?)']],
      ['an unknown qualified column', 'SELECT u.nope FROM users u', ['unknown-column: Unknown column "nope": table users has no such column']],
      ['an unknown table', 'SELECT * FROM userz', ['unknown-table: Unknown table "userz": migrations/ defines no such table (did you mean "users"?)']],
      ['an unknown table in a known schema', 'SELECT * FROM billing.invoice', ['unknown-table: Unknown table "billing.invoice": migrations/ defines no such table (did you mean "invoices"?)']],
      ['a renamed-away column', 'SELECT name FROM customers', ['unknown-column: Unknown column "name": table customers has no such column']],
      ['INSERT and UPDATE targets', 'INSERT INTO users (id, emial) VALUES (1, 2);\nUPDATE users SET emial = 1 WHERE id = 2', ['unknown-column: Unknown column "emial": table users has no such column (did you mean "email"?)', 'unknown-column: Unknown column "emial": table users has no such column (did you mean "email"?)']],
      ['an unqualified column of none of the tables', 'SELECT nope FROM users JOIN customers ON true', ['unknown-column: Unknown column "nope": none of users, customers has no such column']],
      ['catalog tables', 'SELECT * FROM pg_stat_activity; SELECT * FROM information_schema.tables', []],
      ['schemas the migrations do not create tables in', 'SELECT * FROM auth.users', []],
      ['CTEs', 'WITH x AS (SELECT 1 AS a) SELECT a FROM x', []],
      ['output names in ORDER BY', 'SELECT email AS e FROM users ORDER BY e', []],
      ['subqueries in FROM', 'SELECT x.anything FROM (SELECT 1) x', []],
      ['functions in FROM', 'SELECT g FROM generate_series(1, 3) g WHERE g > 1', []],
      ['correlated subqueries', 'SELECT * FROM users u WHERE EXISTS (SELECT 1 FROM billing.invoices i WHERE i.user_id = u.id)', []],
      ['ON CONFLICT … excluded', 'INSERT INTO users (id, email) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET email = excluded.email', []],
      ['views and whole-row references', 'SELECT * FROM active_users; SELECT row_to_json(u) FROM users u', []],
      ['no FROM', 'SELECT now(), current_user, 1 + 1', []],
      ['the search_path', 'SET search_path TO billing;\nSELECT amount_cents FROM events', []],
      ['quoted names', 'SELECT "Qty", sku FROM "Order Items"; SELECT qty FROM "Order Items"', ['unknown-column: Unknown column "qty": table Order Items has no such column (did you mean "Qty"?)']],
      ['a data-modifying statement in WITH sees the CTEs before it', "WITH a AS (SELECT id FROM users), b AS (UPDATE customers c SET country = 'x' FROM a WHERE a.id = c.id RETURNING c.id), d AS (DELETE FROM events WHERE id IN (SELECT id FROM a) RETURNING id), i AS (INSERT INTO events (id) SELECT id FROM b RETURNING id) SELECT id FROM b UNION SELECT id FROM d", []],
      ['a data-modifying statement in WITH: unknown names still reported', 'WITH a AS (SELECT id FROM users), d AS (DELETE FROM events WHERE nope IN (SELECT id FROM a) RETURNING id) SELECT 1', ['unknown-column: Unknown column "nope": table events has no such column']],
      ['system columns of tables', 'SELECT ctid, xmin, xmax, cmin, cmax, tableoid FROM users; SELECT u.ctid, u.tableoid FROM users u JOIN customers c ON c.xmin = u.xmin', []],
      ['DISTINCT ON an output name', 'SELECT DISTINCT ON (e) email AS e, id FROM users ORDER BY e, id', []],
      ['migration runners\' tables', 'SELECT * FROM schema_migrations; SELECT * FROM _prisma_migrations; SELECT version_id FROM public.goose_db_version; SELECT * FROM flyway_schema_history', []],
    ];
    for (const [title, text, expected] of cases) {
      it(title, () => {
        const found = nameDiagnostics(index, navigationDocument(text, 'sql')).map((d) => `${d.code}: ${d.message}`);
        assert.deepEqual(found, expected);
      });
    }

    it('extension tables, qualified or not; an extension without tables turns nothing off', () => {
      const ext = indexOf({
        '/w/migrations/001.sql': [
          'CREATE EXTENSION IF NOT EXISTS postgis;',
          'CREATE EXTENSION http;',
          'CREATE SCHEMA partman;',
          'CREATE EXTENSION pg_partman SCHEMA partman;',
          'CREATE TABLE partman.my_config (x int);',
          'CREATE TABLE places (id int PRIMARY KEY);',
        ].join('\n'),
      });
      const text = [
        'SELECT srid, auth_name FROM spatial_ref_sys;',
        'SELECT srid FROM public.spatial_ref_sys;',
        'SELECT parent_table FROM partman.part_config;',
        'SELECT * FROM public.geometry_columns;',
        'SELECT * FROM placez;',
        'SELECT * FROM partman.nope;',
      ].join('\n');
      const found = nameDiagnostics(ext, navigationDocument(text, 'sql')).map((d) => d.message);
      assert.deepEqual(found, ['Unknown table "placez": migrations/ defines no such table (did you mean "places"?)', 'Unknown table "partman.nope": migrations/ defines no such table']);
    });

    it('a document too large to check: one note, and nothing else', () => {
      const text = 'SELECT nope FROM users;\nSELECT 1;\nSELECT 2;';
      const [note, ...rest] = nameDiagnostics(index, navigationDocument(text, 'sql'), { maxStatements: 2 });
      assert.equal(rest.length, 0);
      assert.equal(note.code, 'document-too-large');
      assert.equal(note.severity, 'info');
      assert.match(note.message, /too large \(3 statements; the limit is/);
      assert.equal(nameDiagnostics(index, navigationDocument(text, 'sql'), { maxLength: 20 })[0].code, 'document-too-large');
      assert.equal(nameDiagnostics(index, navigationDocument(text, 'sql')).length, 1, 'the default limits');
      assert.equal(largeDocumentNote('x'.repeat(1_000_001))?.code, 'document-too-large');
    });

    it('search_path tracking: each statement sees the SET before it, RESET ends it', () => {
      const text = 'SELECT amount_cents FROM events;\nSET search_path TO billing;\nSELECT amount_cents FROM events;\nRESET search_path;\nSELECT amount_cents FROM events;';
      const found = nameDiagnostics(index, navigationDocument(text, 'sql')).map((d) => d.range.start.line);
      assert.deepEqual(found, [0, 4]);
    });

    it('relations the document creates before a query: known by name, their columns not checked', () => {
      const text = [
        'CREATE TEMP TABLE tmp_ids (id int);',
        'SELECT id, whatever FROM tmp_ids;',
        'CREATE VIEW v AS SELECT 1 AS a;',
        'SELECT a FROM v JOIN pg_temp.tmp_ids t ON t.id = v.a;',
        'CREATE TABLE t2 AS SELECT 1 AS b;',
        'SELECT b FROM public.t2;',
        'SELECT 1 AS c INTO t3;',
        'SELECT c FROM t3;',
        'SELECT * FROM not_made;',
        'SELECT * FROM made_later;',
        'CREATE TABLE made_later (x int);',
      ].join('\n');
      const found = nameDiagnostics(index, navigationDocument(text, 'sql')).map((d) => `${d.range.start.line}: ${d.message}`);
      assert.deepEqual(found, ['8: Unknown table "not_made": migrations/ defines no such table', '9: Unknown table "made_later": migrations/ defines no such table']);
    });

    it('partitions and children get the columns their parent gets later; OF type leaves columns unknown', () => {
      const parted = indexOf({
        '/w/migrations/001.sql': [
          'CREATE TABLE m (id int, at date NOT NULL) PARTITION BY RANGE (at);',
          "CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01') PARTITION BY RANGE (at);",
          "CREATE TABLE m_2024_h1 PARTITION OF m_2024 FOR VALUES FROM ('2024-01-01') TO ('2024-07-01');",
          'CREATE TYPE pt AS (x int, y int);',
          'CREATE TABLE pts OF pt;',
        ].join('\n'),
        '/w/migrations/002.sql': 'ALTER TABLE m ADD COLUMN note text;',
      });
      assert.deepEqual(parted.schema.tables.get('public.m_2024_h1')!.columns.map((c) => c.name), ['id', 'at', 'note']);
      const text = 'SELECT note FROM m_2024; SELECT note, nope FROM m_2024_h1; SELECT x, y FROM pts';
      assert.deepEqual(nameDiagnostics(parted, navigationDocument(text, 'sql')).map((d) => d.message), ['Unknown column "nope": table m_2024_h1 has no such column (did you mean "note"?)']);
    });

    it('a migration calling a function that creates tables: names are not checked, as after a DO block', () => {
      const fn = "CREATE FUNCTION app.make_table(n text) RETURNS void LANGUAGE plpgsql AS $$ BEGIN EXECUTE format('CREATE TABLE %I (id int)', n); END $$;";
      const called = indexOf({ ...MIGRATIONS, '/w/migrations/003_fn.sql': `CREATE SCHEMA app;\n${fn}\nSELECT app.make_table('dyn');` });
      assert.match(called.incomplete ?? '', /a call of app\.make_table \(a function that changes tables\) at 003_fn\.sql:3/);
      const notCalled = indexOf({ ...MIGRATIONS, '/w/migrations/003_fn.sql': `CREATE SCHEMA app;\n${fn}\nSELECT now();` });
      assert.equal(notCalled.incomplete, undefined);
    });

    it('ranges point at the name, in a template literal too', () => {
      const text = 'const q = sql`SELECT emial FROM users WHERE id = ${id}`;';
      const [d] = nameDiagnostics(index, navigationDocument(text, 'script'));
      assert.equal(text.slice(d.range.startOffset, d.range.endOffset), 'emial');
    });

    it('says once that names are not checked when the migrations did not replay fully', () => {
      const broken = indexOf({ ...MIGRATIONS, '/w/migrations/003_broken.sql': 'ALTER TABLE users ADD COLUMN;' });
      assert.match(broken.incomplete ?? '', /did not parse \(003_broken\.sql:1\)/);
      const found = nameDiagnostics(broken, navigationDocument('SELECT nope FROM userz;\nSELECT also_nope FROM users;', 'sql'));
      assert.deepEqual(found.map((d) => [d.code, d.severity, d.range.start.line]), [['schema-incomplete', 'info', 0]]);
      const dynamic = indexOf({ ...MIGRATIONS, '/w/migrations/003_do.sql': "DO $$ BEGIN EXECUTE 'ALTER TABLE users ADD COLUMN x int'; END $$;" });
      assert.match(dynamic.incomplete ?? '', /a DO block at 003_do\.sql:1/);
    });
  });

  describe('references', () => {
    it('a table: its definition, the migrations that name it (before its rename too) and the queries', () => {
      const { doc: d, offset } = doc('SELECT * FROM custo¦mers');
      const target = targetAt(index, d, offset)!.target;
      const query = { file: '/w/q.sql', text: 'SELECT c.full_name FROM customers c;\nSELECT 1 FROM users;', language: 'sql' as const };
      const code = { file: '/w/app.ts', text: 'const a = sql`UPDATE customers SET country = ${c}`;', language: 'script' as const };
      const refs = referencesTo(index, target, [query, code]).map((l) => `${path.basename(l.file)}:${l.range.start.line}:${l.range.start.character}`);
      assert.deepEqual(refs.sort(), ['001_init.sql:7:13', '002_rename.sql:0:12', '002_rename.sql:0:29', '002_rename.sql:1:12', '002_rename.sql:2:12', 'app.ts:0:21', 'q.sql:0:24'].sort());
    });

    it('a column: its definition under its old name, the rename, and uses', () => {
      const { doc: d, offset } = doc('SELECT full¦_name FROM customers');
      const target = targetAt(index, d, offset)!.target;
      const query = { file: '/w/q.sql', text: 'SELECT c.full_name FROM customers c WHERE full_name IS NOT NULL', language: 'sql' as const };
      const refs = referencesTo(index, target, [query], { includeDefinition: false }).map((l) => `${path.basename(l.file)}:${l.range.start.line}:${l.range.start.character}`);
      assert.deepEqual(refs.sort(), ['001_init.sql:7:41', '002_rename.sql:1:36', '002_rename.sql:1:44', 'q.sql:0:9', 'q.sql:0:42'].sort());
    });
  });
});

describe('workspace schemas', () => {
  let root: string;
  before(() => loadSqlParser());
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'pglens-nav-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const write = (rel: string, text: string): string => {
    const file = path.join(root, ...rel.split('/'));
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    return file;
  };

  it('finds migration sets as the linter does, skips query folders, and rebuilds after invalidate()', () => {
    write('db/migrations/001_users.sql', 'CREATE TABLE users (id bigint PRIMARY KEY);');
    const query = write('queries/report.sql', 'SELECT id FROM users;');
    const schemas = new WorkspaceSchemas(root);
    assert.deepEqual(schemas.indexes().map((i) => [i.label, i.kind, i.files.length]), [['db/migrations/', 'migrations', 1]]);
    assert.equal(schemas.indexFor(query)?.label, 'db/migrations/');
    assert.equal(schemas.isMigration(query), false);
    write('db/migrations/002_email.sql', 'ALTER TABLE users ADD COLUMN email text;');
    assert.equal(schemas.indexFor(query)!.schema.tables.get('public.users')!.columns.length, 1, 'cached until invalidated');
    schemas.invalidate();
    assert.deepEqual(schemas.indexFor(query)!.schema.tables.get('public.users')!.columns.map((c) => c.name), ['id', 'email']);
    assert.ok(schemas.isMigration(path.join(root, 'db', 'migrations', '002_email.sql')));
  });

  it('reads unsaved text first', () => {
    const file = write('migrations/001.sql', 'CREATE TABLE a (id int);');
    const schemas = new WorkspaceSchemas(root, { read: (f) => (f === file ? 'CREATE TABLE b (id int);' : undefined) });
    assert.deepEqual([...schemas.indexes()[0].schema.tables.keys()], ['public.b']);
  });

  it('the nearest set answers a query file of a monorepo', () => {
    write('services/a/migrations/001.sql', 'CREATE TABLE a (id int);');
    write('services/b/migrations/001.sql', 'CREATE TABLE b (id int);');
    write('services/b/migrations/002.sql', 'CREATE TABLE c (id int);');
    const schemas = new WorkspaceSchemas(root);
    assert.equal(schemas.indexFor(path.join(root, 'services', 'a', 'src', 'q.sql'))?.label, 'services/a/migrations/');
    assert.equal(schemas.indexFor(path.join(root, 'services', 'b', 'q.sql'))?.label, 'services/b/migrations/');
    assert.equal(schemas.indexFor(undefined)?.label, 'services/b/migrations/', 'an untitled document: the set with the most files');
  });

  const PRISMA = [
    'datasource db {',
    '  provider = "postgresql"',
    '  url      = env("DATABASE_URL")',
    '}',
    '',
    'model User {',
    '  id    Int    @id @default(autoincrement())',
    '  email String @unique @map("email_address")',
    '  posts Post[]',
    '  @@map("users")',
    '}',
    '',
    'model Post {',
    '  id       Int  @id',
    '  authorId Int',
    '  author   User @relation(fields: [authorId], references: [id])',
    '}',
  ].join('\n');

  it('links the Prisma models and fields of a Prisma project to its migrations', () => {
    const schemaFile = write('prisma/schema.prisma', PRISMA);
    write(
      'prisma/migrations/20240101000000_init/migration.sql',
      'CREATE TABLE "users" ("id" SERIAL NOT NULL, "email_address" TEXT NOT NULL, CONSTRAINT "users_pkey" PRIMARY KEY ("id"));\nCREATE TABLE "Post" ("id" INTEGER NOT NULL, "authorId" INTEGER NOT NULL);',
    );
    const schemas = new WorkspaceSchemas(root);
    const [index] = schemas.indexes();
    assert.equal(index.kind, 'migrations');
    const { doc: d, offset } = doc('SELECT email_addr¦ess FROM users');
    const defs = definitionAt(index, d, offset);
    assert.deepEqual(defs.map((l) => path.basename(l.file)), ['migration.sql', 'schema.prisma']);
    assert.equal(PRISMA.slice(defs[1].range.startOffset, defs[1].range.endOffset), 'email');
    assert.equal(defs[1].file, schemaFile);
    const md = plain(hoverAt(index, ...Object.values(doc('SELECT * FROM us¦ers')) as [NavigationDocument, number])!.markdown);
    assert.match(md, /Prisma model `User` in .*schema\.prisma:6/);
  });

  it('a schema.prisma without migrations is the schema', () => {
    write('prisma/schema.prisma', PRISMA);
    const [index] = new WorkspaceSchemas(root).indexes();
    assert.equal(index.kind, 'prisma');
    assert.deepEqual([...index.schema.tables.keys()].sort(), ['public.Post', 'public.users']);
    const { doc: d, offset } = doc('SELECT p."author¦Id" FROM "Post" p');
    const [loc] = definitionAt(index, d, offset);
    assert.equal(path.basename(loc.file), 'schema.prisma');
    assert.equal(loc.range.start.line, 14);
    assert.deepEqual(nameDiagnostics(index, navigationDocument('SELECT email FROM users', 'sql')).map((x) => x.message), ['Unknown column "email": table users has no such column']);
  });
});
