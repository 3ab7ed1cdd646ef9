import assert from 'node:assert/strict';
import { applyEdits } from '../../../../src/core/lint/apply-edits';
import {
  foreignKeyIndexName,
  indexServesColumns,
  rule,
  unindexedForeignKeys,
} from '../../../../src/core/lint/rules/fk-without-index';
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
    { name: 'index added in a later statement', setup: parents, code: 'ALTER TABLE customers ADD COLUMN region_a int, ADD COLUMN region_b int;\nALTER TABLE customers ADD CONSTRAINT r FOREIGN KEY (region_a, region_b) REFERENCES regions NOT VALID;\nCREATE INDEX CONCURRENTLY c_r ON customers (region_a, region_b);' },
  ],
  invalid: [
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
      name: 'after COMMIT the file is outside a transaction again',
      setup: `${parents}\nCREATE TABLE shops (id bigint PRIMARY KEY, cid bigint);`,
      code: 'BEGIN;\nSELECT 1;\nCOMMIT;\nALTER TABLE shops ADD CONSTRAINT shops_c_fk FOREIGN KEY (cid) REFERENCES customers NOT VALID;',
      errors: [{ line: 4 }],
      output:
        'BEGIN;\nSELECT 1;\nCOMMIT;\nALTER TABLE shops ADD CONSTRAINT shops_c_fk FOREIGN KEY (cid) REFERENCES customers NOT VALID;\n' +
        'CREATE INDEX CONCURRENTLY shops_cid_idx ON shops (cid);',
    },
  ],
});
