import assert from 'node:assert/strict';
import { applyEdits } from '../../../../src/core/lint/apply-edits';
import { rule } from '../../../../src/core/lint/rules/fk-without-index';
import {
  foreignKeyIndexName,
  foreignKeyIndexNamer,
  indexServesColumns,
  relationNamesIn,
  unindexedForeignKeys,
} from '../../../../src/core/schema/foreign-key-indexes';
import type { Report } from '../../../../src/core/lint/rule';
import type { Index, Table } from '../../../../src/core/schema/model';
import { createLineIndex } from '../../../../src/core/sql/line-index';
import { runRuleTests } from '../rule-tester';

const parents = 'CREATE TABLE customers (id bigint PRIMARY KEY);\nCREATE TABLE regions (a int, b int, PRIMARY KEY (a, b));';

function index(columns: string[], extra: Partial<Index> = {}): Index {
  return { name: 'i', schema: 'public', table: 't', columns, include: [], unique: false, primary: false, constraint: false, method: 'btree', valid: true, ...extra };
}

describe('fk-without-index predicates', () => {
  it('an index serves a foreign key when its leading columns are the key columns, in any order', () => {
    assert.ok(indexServesColumns(index(['a', 'b', 'c']), ['b', 'a']));
    assert.ok(indexServesColumns(index(['b', 'a', 'c']), ['a', 'b']));
    assert.ok(indexServesColumns(index(['b', 'a'], { unique: true, constraint: true }), ['a', 'b']));
    assert.ok(!indexServesColumns(index(['c', 'a', 'b']), ['a', 'b']));
    assert.ok(!indexServesColumns(index(['a']), ['a', 'b']));
    assert.ok(!indexServesColumns(index(['a'], { where: 'a > 0' }), ['a']));
    assert.ok(!indexServesColumns(index(['a'], { method: 'gin' }), ['a']));
    assert.ok(!indexServesColumns(index(['a'], { valid: false }), ['a']));
  });
  it('a partial index serves a foreign key only when its predicate is the key columns being NOT NULL (every key lookup implies it)', () => {
    const served: Array<[string, string[]]> = [
      ['a IS NOT NULL', ['a']],
      ['"bookingModelRequestId" IS NOT NULL', ['bookingModelRequestId']],
      ['(a IS NOT NULL)', ['a']],
      ['(a IS NOT NULL) AND (b IS NOT NULL)', ['a', 'b']],
      ['a is not null and b is not null', ['b', 'a']],
      ['a IS NOT NULL', ['a', 'b']],
    ];
    const notServed: Array<[string, string[]]> = [
      ['a > 0', ['a']],
      ["status = 'open'", ['a']],
      ['b IS NOT NULL', ['a']],
      ['a IS NULL', ['a']],
      ['a IS NOT NULL OR b > 0', ['a']],
      ['a IS NOT NULL AND b > 0', ['a']],
      ['"A" IS NOT NULL', ['a']],
      ['NOT a IS NULL', ['a']],
    ];
    for (const [where, columns] of served) assert.ok(indexServesColumns(index(columns.length > 1 ? ['a', 'b'] : columns, { where }), columns), where);
    for (const [where, columns] of notServed) assert.ok(!indexServesColumns(index(['a'], { where }), columns), where);
    assert.ok(!indexServesColumns(index(['a'], { where: 'a IS NOT NULL', method: 'hash' }), ['a']));
  });
  it('lists unindexed foreign keys and names their index within 63 bytes', () => {
    const table: Table = {
      schema: 'public',
      name: 't',
      columns: [],
      primaryKey: { columns: ['a'] },
      indexes: [index(['b', 'c'])],
      foreignKeys: [
        { schema: 'public', table: 't', columns: ['a'], refSchema: 'public', refTable: 'p', refColumns: ['id'] },
        { schema: 'public', table: 't', columns: ['c'], refSchema: 'public', refTable: 'p', refColumns: ['id'] },
        { schema: 'public', table: 't', columns: ['b'], refSchema: 'public', refTable: 'p', refColumns: ['id'] },
      ],
    };
    assert.deepEqual(unindexedForeignKeys(table).map((f) => f.columns), [['c']]);
    assert.equal(foreignKeyIndexName({ table: 'orders', columns: ['customer_id'] }), 'orders_customer_id_idx');
    assert.equal(Buffer.byteLength(foreignKeyIndexName({ table: 'x'.repeat(60), columns: ['y'] })), 63);
  });

  describe('foreignKeyIndexName never picks a name already taken in the schema, and stays within 63 bytes', () => {
    const hashed = /^orders_customer_id_[0-9a-f]{8}_idx$/;
    const cases: Array<{ name: string; table: string; columns: string[]; taken: string[]; expect: string | RegExp; bytes?: number }> = [
      { name: 'free: the usual name', table: 'orders', columns: ['customer_id'], taken: ['orders', 'orders_pkey'], expect: 'orders_customer_id_idx' },
      {
        name: 'an index of another definition bears it (on other columns, partial, gin…)',
        table: 'orders',
        columns: ['customer_id'],
        taken: ['orders_customer_id_idx'],
        expect: 'orders_customer_id_f6e50580_idx',
      },
      { name: 'a table (or view, sequence) bears it', table: 'orders', columns: ['customer_id'], taken: ['orders', 'orders_customer_id_idx'], expect: hashed },
      {
        name: 'a partial index bears the name Prisma gives the key\'s index (as in shelf.nu)',
        table: 'BookingAsset',
        columns: ['bookingModelRequestId'],
        taken: ['BookingAsset_bookingModelRequestId_idx'],
        expect: 'BookingAsset_bookingModelRequestId_fd523f05_idx',
      },
      {
        name: 'the hashed name is taken too: another hash',
        table: 'orders',
        columns: ['customer_id'],
        taken: ['orders_customer_id_idx', 'orders_customer_id_f6e50580_idx'],
        expect: hashed,
      },
      { name: 'composite key', table: 'shops', columns: ['ra', 'rb'], taken: [], expect: 'shops_ra_rb_idx' },
      { name: 'exactly 63 bytes: kept', table: 'x'.repeat(57), columns: ['y'], taken: [], expect: `${'x'.repeat(57)}_y_idx`, bytes: 63 },
      { name: '64 bytes: cut, with a hash', table: 'x'.repeat(58), columns: ['y'], taken: [], expect: new RegExp(`^${'x'.repeat(50)}_[0-9a-f]{8}_idx$`), bytes: 63 },
      // 'ß' is 2 bytes: 50 bytes of head would split the 25th; the cut keeps whole characters (49 bytes).
      { name: 'multibyte: cut between characters, never inside one', table: 'ß'.repeat(40), columns: ['id'], taken: [], expect: new RegExp(`^${'ß'.repeat(25)}_[0-9a-f]{8}_idx$`), bytes: 63 },
      { name: 'multibyte (3-byte) table, free name within 63 bytes: kept', table: '注文'.repeat(8), columns: ['顧客'], taken: [], expect: `${'注文'.repeat(8)}_顧客_idx`, bytes: 59 },
      // Four-byte characters are two UTF-16 units: a cut by units would leave half a surrogate pair.
      { name: 'astral characters: no lone surrogate', table: '😀'.repeat(20), columns: ['a'], taken: [], expect: new RegExp(`^${'😀'.repeat(12)}_[0-9a-f]{8}_idx$`), bytes: 61 },
      {
        name: 'multibyte and taken',
        table: 'ß'.repeat(10),
        columns: ['ö'],
        taken: [`${'ß'.repeat(10)}_ö_idx`],
        expect: new RegExp(`^${'ß'.repeat(10)}_ö_[0-9a-f]{8}_idx$`),
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const got = foreignKeyIndexName({ table: c.table, columns: c.columns }, new Set(c.taken));
        if (typeof c.expect === 'string') assert.equal(got, c.expect);
        else assert.match(got, c.expect);
        assert.ok(!c.taken.includes(got), `${got} is taken`);
        assert.ok(Buffer.byteLength(got) <= 63, `${got}: ${Buffer.byteLength(got)} bytes`);
        if (c.bytes !== undefined) assert.equal(Buffer.byteLength(got), c.bytes);
        assert.equal(Buffer.from(got, 'utf8').toString('utf8'), got, 'a character was cut in half');
        assert.equal(foreignKeyIndexName({ table: c.table, columns: c.columns }, new Set(c.taken)), got, 'not deterministic');
      });
    }

    it('knows the names of tables, indexes and primary keys of the schema, not of other schemas', () => {
      const t = (schema: string, name: string, extra: Partial<Table> = {}): Table => ({ schema, name, columns: [], indexes: [], foreignKeys: [], ...extra });
      const model = {
        tables: new Map([
          ['public.a', t('public', 'a', { primaryKey: { name: 'a_pk', columns: ['id'] }, indexes: [index(['x'], { name: 'a_x_idx', table: 'a' })] })],
          ['other.b', t('other', 'b', { indexes: [index(['y'], { name: 'b_y_idx', schema: 'other', table: 'b' })] })],
        ]),
      };
      assert.deepEqual([...relationNamesIn(model, 'public')].sort(), ['a', 'a_pk', 'a_x_idx']);
      assert.deepEqual([...relationNamesIn(model, 'other')].sort(), ['b', 'b_y_idx']);
    });

    it('gives one run distinct names, the same one again for a second key on the same columns', () => {
      const name = foreignKeyIndexNamer(() => []);
      const long = 'l'.repeat(60);
      const a = name({ schema: 'public', table: long, columns: ['a_id'] });
      const b = name({ schema: 'public', table: long, columns: ['b_id'] });
      assert.notEqual(a, b, 'two long names cut to the same prefix still differ');
      assert.equal(name({ schema: 'public', table: long, columns: ['a_id'] }), a);
      assert.equal(name({ schema: 'public', table: 't', columns: ['c'] }), 't_c_idx');
      assert.equal(name({ schema: 'other', table: 't', columns: ['c'] }), 't_c_idx', 'another schema is another namespace');
    });
  });
  it('inserts CREATE INDEX CONCURRENTLY after the defining statement when the source knows it', () => {
    const text = 'CREATE TABLE "order" (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers (id));\nSELECT 1;';
    const lines = createLineIndex(text);
    const fkStart = text.indexOf('REFERENCES');
    const table: Table = {
      schema: 'public',
      name: 'order',
      columns: [],
      indexes: [],
      foreignKeys: [
        {
          schema: 'public',
          table: 'order',
          columns: ['customer_id'],
          refSchema: 'public',
          refTable: 'customers',
          refColumns: ['id'],
          source: { file: 'a.sql', range: lines.rangeOf(fkStart, fkStart + 26), statementRange: lines.rangeOf(0, text.indexOf(';')) },
        },
      ],
    };
    const reports: Array<Report & { file: string }> = [];
    assert.equal(rule.kind, 'schema');
    if (rule.kind === 'schema') rule.check({ schema: { tables: new Map([['public.order', table]]) }, options: {}, report: (r) => reports.push(r) });
    assert.equal(reports.length, 1);
    assert.equal(
      applyEdits(text, reports[0].fix!.edits),
      'CREATE TABLE "order" (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers (id));\n' +
        'CREATE INDEX CONCURRENTLY order_customer_id_idx ON "order" (customer_id);\nSELECT 1;',
    );
  });
});

runRuleTests(rule, {
  valid: [
    { setup: parents, code: 'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers);\nCREATE INDEX orders_customer_idx ON orders (customer_id, id);' },
    { name: 'the primary key leads with the FK columns', setup: parents, code: 'CREATE TABLE cust_notes (customer_id bigint REFERENCES customers, n int, PRIMARY KEY (customer_id, n));' },
    { name: 'composite FK covered in another order by a unique constraint', setup: parents, code: 'CREATE TABLE shops (ra int, rb int, UNIQUE (rb, ra, id), id bigint PRIMARY KEY, FOREIGN KEY (ra, rb) REFERENCES regions);' },
    { name: 'composite FK served by an index leading with its columns in another order', setup: parents, code: 'CREATE TABLE shops (id bigint PRIMARY KEY, ra int, rb int, c int, FOREIGN KEY (ra, rb) REFERENCES regions);\nCREATE INDEX shops_region ON shops (rb, ra, c);' },
    { name: 'composite FK served by a primary key added later, in another order', setup: parents, code: 'CREATE TABLE shops (ra int, rb int, c int, FOREIGN KEY (ra, rb) REFERENCES regions);\nALTER TABLE shops ADD PRIMARY KEY (rb, ra, c);' },
    { name: 'composite FK served by a unique constraint added later', setup: parents, code: 'CREATE TABLE shops (ra int, rb int, FOREIGN KEY (ra, rb) REFERENCES regions);\nALTER TABLE shops ADD CONSTRAINT shops_r UNIQUE (rb, ra);' },
    { name: 'composite FK on an existing table whose primary key leads with it', setup: `${parents}\nCREATE TABLE shops (ra int, rb int, c int, PRIMARY KEY (rb, ra, c));`, code: 'ALTER TABLE shops ADD CONSTRAINT shops_region_fk FOREIGN KEY (ra, rb) REFERENCES regions NOT VALID;' },
    {
      name: 'a partial index on the key being NOT NULL serves it (shelf.nu\'s BookingAsset)',
      setup: parents,
      code: 'CREATE TABLE orders (id bigint PRIMARY KEY, "customerId" bigint REFERENCES customers);\nCREATE INDEX "orders_customerId_idx" ON orders ("customerId") WHERE "customerId" IS NOT NULL;',
    },
    { name: 'index added in a later statement', setup: parents, code: 'ALTER TABLE customers ADD COLUMN region_a int, ADD COLUMN region_b int;\nALTER TABLE customers ADD CONSTRAINT r FOREIGN KEY (region_a, region_b) REFERENCES regions NOT VALID;\nCREATE INDEX CONCURRENTLY c_r ON customers (region_a, region_b);' },
  ],
  invalid: [
    {
      name: 'a table moved to another schema later: the fix names it as the declaring statement does',
      setup: parents,
      code: 'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers);\nCREATE SCHEMA archive;\nALTER TABLE orders SET SCHEMA archive;',
      errors: [{ message: 'orders(customer_id) → customers(id) has no index', line: 1 }],
      output: 'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers);\nCREATE INDEX orders_customer_id_idx ON orders (customer_id);\nCREATE SCHEMA archive;\nALTER TABLE orders SET SCHEMA archive;',
    },
    {
      name: 'a table created in one schema and moved to another: no fix',
      setup: parents + '\nCREATE SCHEMA app;\nCREATE SCHEMA archive;',
      code: 'CREATE TABLE app.orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES public.customers);\nALTER TABLE app.orders SET SCHEMA archive;',
      errors: [{ message: 'orders(customer_id) → customers(id) has no index', line: 1 }],
      output: null,
    },
    {
      setup: parents,
      code: 'CREATE TABLE orders (\n  id bigint PRIMARY KEY,\n  customer_id bigint NOT NULL REFERENCES customers (id)\n);',
      errors: [{ message: /orders\(customer_id\) → customers\(id\) has no index on orders\(customer_id\): every DELETE or key UPDATE on customers scans all of orders/, line: 3, column: 31 }],
      // The table is new in this file: no one reads it yet, so a plain CREATE INDEX (which also runs in a transaction).
      output: 'CREATE TABLE orders (\n  id bigint PRIMARY KEY,\n  customer_id bigint NOT NULL REFERENCES customers (id)\n);\nCREATE INDEX orders_customer_id_idx ON orders (customer_id);',
    },
    {
      name: 'a partial index or an index with other leading columns does not count',
      setup: parents,
      code: 'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, status text,\n  CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers);\nCREATE INDEX a ON orders (customer_id) WHERE status = \'open\';\nCREATE INDEX b ON orders (status, customer_id);',
      errors: [{ message: 'foreign key orders_customer_fk orders(customer_id)', line: 2, column: 3 }],
    },
    {
      name: 'composite key whose columns are in the index but not leading',
      setup: `${parents}\nCREATE TABLE shops (id bigint PRIMARY KEY, ra int, rb int, c int);\nCREATE INDEX shops_c_ra_rb ON shops (c, rb, ra);`,
      code: 'ALTER TABLE shops ADD CONSTRAINT shops_region_fk FOREIGN KEY (ra, rb) REFERENCES regions (a, b) NOT VALID;',
      errors: [{ message: 'shops(ra, rb) → regions(a, b)' }],
    },
    {
      name: 'composite key only half covered, added by ALTER TABLE',
      setup: `${parents}\nCREATE TABLE shops (id bigint PRIMARY KEY, ra int, rb int);\nCREATE INDEX shops_ra ON shops (ra);`,
      code: 'ALTER TABLE shops ADD CONSTRAINT shops_region_fk FOREIGN KEY (ra, rb) REFERENCES regions (a, b) NOT VALID;',
      errors: [{ message: 'shops(ra, rb) → regions(a, b)', line: 1, column: 23 }],
    },
    {
      name: 'in a transactional migration (Prisma) a table created in the same file gets a plain CREATE INDEX',
      setup: parents,
      inTransaction: true,
      code: 'CREATE TABLE "Order" ("id" BIGINT NOT NULL, "customerId" BIGINT NOT NULL);\nALTER TABLE "Order" ADD CONSTRAINT "Order_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES customers(id);',
      errors: [{ line: 2, column: 25 }],
      output:
        'CREATE TABLE "Order" ("id" BIGINT NOT NULL, "customerId" BIGINT NOT NULL);\n' +
        'ALTER TABLE "Order" ADD CONSTRAINT "Order_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES customers(id);\n' +
        'CREATE INDEX "Order_customerId_idx" ON "Order" ("customerId");',
    },
    {
      name: 'inside BEGIN … COMMIT on an existing table: no fix (CONCURRENTLY would fail, a plain build locks writes)',
      setup: `${parents}\nCREATE TABLE shops (id bigint PRIMARY KEY, cid bigint);`,
      code: 'BEGIN;\nALTER TABLE shops ADD CONSTRAINT shops_c_fk FOREIGN KEY (cid) REFERENCES customers NOT VALID;\nCOMMIT;',
      errors: [{ line: 2 }],
      output: null,
    },
    {
      name: 'the usual name belongs to an index on other columns: the fix takes another name',
      setup: `${parents}\nCREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, status text);\nCREATE INDEX orders_customer_id_idx ON orders (status);`,
      code: 'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers NOT VALID;',
      errors: [{ message: 'foreign key orders_customer_fk orders(customer_id)' }],
      output:
        'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers NOT VALID;\n' +
        'CREATE INDEX CONCURRENTLY orders_customer_id_f6e50580_idx ON orders (customer_id);',
    },
    {
      name: 'the usual name belongs to a partial index on the key itself that does not serve every lookup: its name is taken',
      setup: `${parents}\nCREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, status text);\nCREATE INDEX orders_customer_id_idx ON orders (customer_id) WHERE status = 'open';`,
      code: 'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers NOT VALID;',
      errors: [{ message: 'orders(customer_id)' }],
      output:
        'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers NOT VALID;\n' +
        'CREATE INDEX CONCURRENTLY orders_customer_id_f6e50580_idx ON orders (customer_id);',
    },
    {
      name: 'the usual name is a table of the schema',
      setup: `${parents}\nCREATE TABLE orders_customer_id_idx (id int);`,
      code: 'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers);',
      errors: [{ line: 1 }],
      output: 'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers);\nCREATE INDEX orders_customer_id_f6e50580_idx ON orders (customer_id);',
    },
    {
      name: 'an index of that name created in a later statement counts too (its CREATE INDEX would fail after the fix)',
      setup: parents,
      code: 'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers, note text);\nCREATE INDEX orders_customer_id_idx ON orders USING hash (note);',
      errors: [{ line: 1 }],
      output:
        'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers, note text);\nCREATE INDEX orders_customer_id_f6e50580_idx ON orders (customer_id);\n' +
        'CREATE INDEX orders_customer_id_idx ON orders USING hash (note);',
    },
    {
      name: 'the same name in another schema does not matter',
      setup: `${parents}\nCREATE SCHEMA archive;\nCREATE TABLE archive.orders_customer_id_idx (id int);`,
      code: 'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers);',
      errors: [{ line: 1 }],
      output: 'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers);\nCREATE INDEX orders_customer_id_idx ON orders (customer_id);',
    },
    {
      name: 'two keys on the same column in one statement: one index, created once',
      setup: `${parents}\nCREATE TABLE vip (id bigint PRIMARY KEY);`,
      code: 'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers, FOREIGN KEY (customer_id) REFERENCES vip);',
      errors: [{ line: 1 }, { line: 1 }],
      output: 'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers, FOREIGN KEY (customer_id) REFERENCES vip);\nCREATE INDEX orders_customer_id_idx ON orders (customer_id);',
    },
    {
      name: 'after COMMIT the file is outside a transaction again',
      setup: `${parents}\nCREATE TABLE shops (id bigint PRIMARY KEY, cid bigint);`,
      code: 'BEGIN;\nSELECT 1;\nCOMMIT;\nALTER TABLE shops ADD CONSTRAINT shops_c_fk FOREIGN KEY (cid) REFERENCES customers NOT VALID;',
      errors: [{ line: 4 }],
      output:
        'BEGIN;\nSELECT 1;\nCOMMIT;\nALTER TABLE shops ADD CONSTRAINT shops_c_fk FOREIGN KEY (cid) REFERENCES customers NOT VALID;\n' +
        'CREATE INDEX CONCURRENTLY shops_cid_idx ON shops (cid);',
    },
    {
      name: 'a comment between the defining statement and its ";": the index goes after the ";"',
      setup: parents,
      code: 'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers) -- the orders\n;\nSELECT 1;',
      errors: [{ line: 1 }],
      output: 'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers) -- the orders\n;\nCREATE INDEX orders_customer_id_idx ON orders (customer_id);\nSELECT 1;',
    },
    {
      name: 'the last statement has no ";" and a trailing comment: the index goes after its last token',
      setup: parents,
      code: 'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers) /* the orders */',
      errors: [{ line: 1 }],
      output: 'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers);\nCREATE INDEX orders_customer_id_idx ON orders (customer_id) /* the orders */',
    },
    {
      name: 'a CRLF file gets CRLF line breaks',
      setup: parents,
      code: 'SELECT 1;\r\nCREATE TABLE orders (id bigint PRIMARY KEY,\r\n  customer_id bigint REFERENCES customers) -- x\r\n;\r\n',
      errors: [{ line: 3 }],
      output: 'SELECT 1;\r\nCREATE TABLE orders (id bigint PRIMARY KEY,\r\n  customer_id bigint REFERENCES customers) -- x\r\n;\r\nCREATE INDEX orders_customer_id_idx ON orders (customer_id);\r\n',
    },
  ],
});
