import assert from 'node:assert/strict';
import { defaultConfig } from '../../../src/core/config';
import { loadSqlParser } from '../../../src/core/sql/parse';
import { attributeWord, entityNames, toMermaid } from '../../../src/core/erd/mermaid';
import { partsDiagram } from '../../../src/core/erd/sources';
import { hostileDiagram } from './fixtures';
import type { DiagramModel, DiagramTable } from '../../../src/core/erd/diagram';

/** Mermaid erDiagram's lexer (mermaid 12, erDiagram.jison): the words it takes bare. */
const ATTRIBUTE_WORD = /^[*A-Za-z_\u00C0-\uFFFF][A-Za-z0-9\-_[\]().,\u00C0-\uFFFF*]*$/;
const QUOTED_ENTITY = /^"[^"%\r\n\v\b\\]+"$/;

function table(id: string, columns: Partial<DiagramTable['columns'][number]>[] = []): DiagramTable {
  const [schema, name] = id.split('.');
  return { id, schema, name, columns: columns.map((c) => ({ name: 'c', type: 'integer', pk: false, fk: false, notNull: true, unique: false, ...c })), findings: [] };
}

describe('schema diagram: Mermaid export', () => {
  before(() => loadSqlParser());

  it('writes entities, keys and relations with cardinalities', () => {
    const model = partsDiagram(
      [
        {
          file: '/m/001.sql',
          direction: 'up',
          text: `CREATE TABLE customers (id bigint PRIMARY KEY, email text UNIQUE);
                 CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers (id), total numeric(12,2));
                 CREATE TABLE passports (customer_id bigint PRIMARY KEY REFERENCES customers (id));
                 CREATE TABLE notes (id int PRIMARY KEY, order_id bigint REFERENCES orders (id));`,
        },
      ],
      defaultConfig('/m'),
      'm/',
    );
    assert.equal(
      toMermaid(model),
      [
        'erDiagram',
        '  customers {',
        '    bigint id PK',
        '    text email UK',
        '  }',
        '  orders {',
        '    bigint id PK',
        '    bigint customer_id FK',
        '    numeric(12,2) total',
        '  }',
        '  passports {',
        '    bigint customer_id PK, FK',
        '  }',
        '  notes {',
        '    integer id PK',
        '    bigint order_id FK',
        '  }',
        '  customers ||..o{ orders : "orders_customer_id_fkey"',
        '  customers ||--o| passports : "passports_customer_id_fkey"',
        '  orders |o..o{ notes : "notes_order_id_fkey"',
        '',
      ].join('\n'),
    );
  });

  it('draws an implicit join table as its N:M relation, an explicit one as an entity', () => {
    const model = partsDiagram(
      [
        {
          file: '/m/001.sql',
          direction: 'up',
          text: `CREATE TABLE "Post" (id serial PRIMARY KEY);
                 CREATE TABLE "Tag" (id serial PRIMARY KEY);
                 CREATE TABLE "_PostToTag" ("A" integer NOT NULL REFERENCES "Post", "B" integer NOT NULL REFERENCES "Tag", PRIMARY KEY ("A", "B"));
                 CREATE TABLE post_likes (post_id int REFERENCES "Post", tag_id int REFERENCES "Tag", PRIMARY KEY (post_id, tag_id));`,
        },
      ],
      defaultConfig('/m'),
      'm/',
    );
    const text = toMermaid(model);
    assert.ok(!text.includes('_PostToTag {'), text);
    assert.ok(text.includes('  Post }o..o{ Tag : "_PostToTag"'), text);
    assert.ok(text.includes('  post_likes {'), text);
    assert.ok(text.includes('  Post ||--o{ post_likes : "post_likes_post_id_fkey"'), text);
    assert.ok(!text.includes('}o..o{ Tag : "post_likes"'), 'the explicit join table is not drawn twice');
  });

  it('quotes names Mermaid cannot take bare, spells the characters it cannot take at all, and keeps every line in its grammar', () => {
    const model = hostileDiagram();
    const text = toMermaid(model);
    const lines = text.trimEnd().split('\n');
    assert.equal(lines[0], 'erDiagram');
    let depth = 0;
    for (const line of lines.slice(1)) {
      const open = /^ {2}(\S.*) \{$/.exec(line);
      if (open) {
        assert.equal(depth, 0, line);
        depth = 1;
        const name = open[1];
        assert.ok(/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || QUOTED_ENTITY.test(name), `entity name ${JSON.stringify(name)}`);
        continue;
      }
      if (line === '  }') {
        depth = 0;
        continue;
      }
      if (depth === 1) {
        const m = /^ {4}(\S+) (\S+)((?: (?:PK|FK|UK)(?:, (?:PK|FK|UK))*)?)( "[^"\n]*")?$/.exec(line);
        assert.ok(m, `attribute line ${JSON.stringify(line)}`);
        assert.match(m[1], ATTRIBUTE_WORD);
        assert.match(m[2], ATTRIBUTE_WORD);
        assert.doesNotMatch(m[2], /^(pk|fk|uk)\b/i, 'a bare pk/fk/uk would read as a key marker');
        continue;
      }
      assert.match(line, /^ {2}("[^"%\\\n]+"|[A-Za-z_][A-Za-z0-9_]*) (\|\||\|o|\}o)(--|\.\.)(o\{|o\||\|\||o\{) ("[^"%\\\n]+"|[A-Za-z_][A-Za-z0-9_]*) : "[^"\n]*"$/);
    }
    assert.ok(text.includes('  "<img src=x onerror=alert(1)>" {'), 'quoted, as written');
    assert.ok(text.includes('    integer _script_alert(2)__script_ PK "column <script>alert(2)</script>"'), 'renamed attribute says its real name');
    assert.ok(text.includes(`    text a_b_c "column a'b c"`));
    assert.ok(text.includes('    integer _pk "column pk"'));
    assert.ok(text.includes('    integer nl_x "column nl x"'), 'a line break in a name stays on one line');
    assert.ok(text.includes('  "one" {') && text.includes('  "end" {') && text.includes('  "style" {'), 'keywords quoted');
    assert.ok(text.includes('  "sales dept.Order Lines" {'));
    assert.ok(text.includes('  "e_q" {'));
  });

  it('no Mermaid directive and no bidirectional control can come from a name: %%{init:…}%% in a constraint or column name stays text', () => {
    const t = table('public.a', [{ name: "%%{init:{'theme':'forest'}}%%", pk: true }, { name: '50%%{x' }]);
    const b = table('public.\u202Esresu', [{ name: 'a_id', fk: true }]);
    const model: DiagramModel = {
      source: { kind: 'migrations', label: 'm' },
      schemas: ['public'],
      tables: [t, b],
      relations: [{ id: 'r', from: b.id, to: t.id, columns: ['a_id'], refColumns: ['c'], cardinality: '1:N', optional: false, identifying: false, name: "%%{init:{'theme':'forest'}}%%" }],
      files: [],
      notes: [],
    };
    const text = toMermaid(model);
    assert.doesNotMatch(text, /%%/, text);
    assert.doesNotMatch(text, /[\u202a-\u202e\u2066-\u2069]/, 'no bidi control');
    assert.match(text, /\uFF05\uFF05\{init/);
  });

  it('names stay unique once spelled for Mermaid', () => {
    const names = entityNames([table('public.a%b'), table('public.a_b'), table('public.a"b'), table('x.y'), table('public.Users'), table('public.users')]);
    assert.deepEqual([...names.values()], ['"a_b"', '"a_b_2"', '"a_b_3"', '"x.y"', 'Users', 'users']);
  });

  it('attribute words: spaces and punctuation become _, a leading digit or key word gets a _', () => {
    assert.equal(attributeWord('double precision'), 'double_precision');
    assert.equal(attributeWord('numeric(12,2)'), 'numeric(12,2)');
    assert.equal(attributeWord('text[]'), 'text[]');
    assert.equal(attributeWord('1st'), '_1st');
    assert.equal(attributeWord('PK'), '_PK');
    assert.equal(attributeWord('uk-code'), '_uk-code');
    assert.equal(attributeWord('pk_id'), 'pk_id', 'pk followed by a word character is one word');
    assert.equal(attributeWord('größe'), 'größe');
    assert.equal(attributeWord(''), '_');
  });
});
