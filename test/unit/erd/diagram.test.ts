import assert from 'node:assert/strict';
import * as path from 'node:path';
import { defaultConfig, parseConfig } from '../../../src/core/config';
import { loadSqlParser } from '../../../src/core/sql/parse';
import type { LintPart } from '../../../src/core/lint/engine';
import { buildDiagram, type DiagramModel, type DiagramRelation, type DiagramTable } from '../../../src/core/erd/diagram';
import { toMermaid } from '../../../src/core/erd/mermaid';
import { findDiagramSources, liveDiagram, partsDiagram, prismaDiagram } from '../../../src/core/erd/sources';
import type { CatalogSnapshot } from '../../../src/core/health/catalog';
import { drawnGraph, neighbourhood, searchIndex, searchTables } from '../../../media/src/erd/graph';

/** Migrations in memory: `/m/001.sql`, `/m/002.sql`, … replayed in order. */
function sqlDiagram(files: string[], config = defaultConfig('/m')): DiagramModel {
  const parts: LintPart[] = files.map((text, i) => ({ file: `/m/${String(i + 1).padStart(3, '0')}.sql`, text, direction: 'up' }));
  return partsDiagram(parts, config, 'm/');
}

function table(model: DiagramModel, id: string): DiagramTable {
  const t = model.tables.find((x) => x.id === id);
  assert.ok(t, `no table ${id}; have ${model.tables.map((x) => x.id).join(', ')}`);
  return t;
}

function relation(model: DiagramModel, from: string, to: string, cardinality?: string): DiagramRelation {
  const r = model.relations.find((x) => x.from === from && x.to === to && (!cardinality || x.cardinality === cardinality));
  assert.ok(r, `no relation ${from} → ${to}; have ${model.relations.map((x) => `${x.from}→${x.to} ${x.cardinality}`).join(', ')}`);
  return r;
}

const SHOP = `
CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL UNIQUE, name text);
CREATE TABLE profiles (customer_id bigint PRIMARY KEY REFERENCES customers (id), bio text);
CREATE TABLE passports (id bigint PRIMARY KEY, customer_id bigint UNIQUE REFERENCES customers (id));
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers (id), coupon_id bigint);
CREATE INDEX ON orders (customer_id);
CREATE TABLE products (id bigint PRIMARY KEY, price numeric(12,2) NOT NULL);
CREATE TABLE order_products (
  order_id bigint REFERENCES orders (id),
  product_id bigint REFERENCES products (id),
  PRIMARY KEY (order_id, product_id)
);
CREATE TABLE order_notes (
  order_id bigint REFERENCES orders (id),
  line int,
  author_id bigint REFERENCES customers (id),
  PRIMARY KEY (order_id, line)
);
`;

describe('schema diagram: model', () => {
  before(() => loadSqlParser());

  it('columns carry type, PK, FK, NOT NULL and unique', () => {
    const m = sqlDiagram([SHOP]);
    const customers = table(m, 'public.customers');
    assert.deepEqual(
      customers.columns.map((c) => [c.name, c.type, c.pk, c.fk, c.notNull, c.unique]),
      [
        ['id', 'bigint', true, false, true, false],
        ['email', 'text', false, false, true, true],
        ['name', 'text', false, false, false, false],
      ],
    );
    assert.deepEqual(table(m, 'public.products').columns.map((c) => c.type), ['bigint', 'numeric(12,2)']);
    const fk = table(m, 'public.orders').columns.find((c) => c.name === 'customer_id')!;
    assert.deepEqual([fk.fk, fk.pk, fk.notNull], [true, false, true]);
    assert.deepEqual(m.schemas, ['public']);
    assert.equal(m.files[customers.definition!.file], '/m/001.sql');
    assert.equal(customers.definition!.line, 1, 'the CREATE TABLE line');
  });

  it('1:N for a plain foreign key, 1:1 when its columns are unique or the primary key; optional and identifying', () => {
    const m = sqlDiagram([SHOP]);
    const orders = relation(m, 'public.orders', 'public.customers');
    assert.deepEqual([orders.cardinality, orders.optional, orders.identifying, orders.columns, orders.refColumns], ['1:N', false, false, ['customer_id'], ['id']]);
    const profile = relation(m, 'public.profiles', 'public.customers');
    assert.deepEqual([profile.cardinality, profile.optional, profile.identifying], ['1:1', false, true], 'FK = PK: one profile per customer');
    const passport = relation(m, 'public.passports', 'public.customers');
    assert.deepEqual([passport.cardinality, passport.optional], ['1:1', true], 'UNIQUE nullable FK: zero or one passport, maybe no customer');
  });

  it('N:M through a join table whose primary key is its two foreign keys; a key with other columns is no join', () => {
    const m = sqlDiagram([SHOP]);
    const nm = relation(m, 'public.orders', 'public.products', 'N:M');
    assert.equal(nm.via, 'public.order_products');
    assert.deepEqual(table(m, 'public.order_products').joinTable, { relation: nm.id, implicit: false });
    // Both 1:N keys of the join table stay: an explicit join table is drawn with them.
    relation(m, 'public.order_products', 'public.orders', '1:N');
    relation(m, 'public.order_products', 'public.products', '1:N');
    assert.equal(table(m, 'public.order_notes').joinTable, undefined, 'PK (order_id, line) is not two foreign keys');
    assert.ok(!m.relations.some((r) => r.cardinality === 'N:M' && r.via === 'public.order_notes'));
    const drawn = drawnGraph(m);
    assert.ok(drawn.tables.some((t) => t.id === 'public.order_products'), 'explicit join table drawn');
    assert.ok(!drawn.relations.some((r) => r.cardinality === 'N:M'), 'its N:M is not drawn twice');
  });

  it('a Prisma migration of an implicit many-to-many (_AToB with a unique index, no primary key) is an implicit N:M', () => {
    const m = sqlDiagram([
      `CREATE TABLE "Post" (id serial PRIMARY KEY);
       CREATE TABLE "Tag" (id serial PRIMARY KEY);
       CREATE TABLE "_PostToTag" ("A" integer NOT NULL, "B" integer NOT NULL);
       CREATE UNIQUE INDEX "_PostToTag_AB_unique" ON "_PostToTag"("A", "B");
       CREATE INDEX "_PostToTag_B_index" ON "_PostToTag"("B");
       ALTER TABLE "_PostToTag" ADD CONSTRAINT "_PostToTag_A_fkey" FOREIGN KEY ("A") REFERENCES "Post"(id);
       ALTER TABLE "_PostToTag" ADD CONSTRAINT "_PostToTag_B_fkey" FOREIGN KEY ("B") REFERENCES "Tag"(id);`,
    ]);
    const nm = relation(m, 'public.Post', 'public.Tag', 'N:M');
    assert.deepEqual(table(m, 'public._PostToTag').joinTable, { relation: nm.id, implicit: true });
    const drawn = drawnGraph(m);
    assert.deepEqual(drawn.tables.map((t) => t.id).sort(), ['public.Post', 'public.Tag']);
    assert.deepEqual(drawn.relations.map((r) => r.cardinality), ['N:M']);
  });

  it('Prisma implicit many-to-many: the _AToB table is hidden and its N:M drawn; relations and 1:1 from @unique', () => {
    const schema = `
datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}
model Post {
  id     Int    @id @default(autoincrement())
  title  String
  tags   Tag[]
  author User   @relation(fields: [authorId], references: [id])
  authorId Int
}
model Tag {
  id    Int    @id @default(autoincrement())
  posts Post[]
}
model User {
  id      Int      @id @default(autoincrement())
  posts   Post[]
  profile Profile?
}
model Profile {
  id     Int  @id @default(autoincrement())
  user   User @relation(fields: [userId], references: [id])
  userId Int  @unique
}`;
    const m = prismaDiagram([{ file: '/p/schema.prisma', text: schema }], defaultConfig('/p'), 'schema.prisma');
    const nm = relation(m, 'public.Post', 'public.Tag', 'N:M');
    assert.equal(nm.via, 'public._PostToTag');
    assert.deepEqual(table(m, 'public._PostToTag').joinTable, { relation: nm.id, implicit: true });
    assert.equal(relation(m, 'public.Post', 'public.User').cardinality, '1:N');
    assert.equal(relation(m, 'public.Profile', 'public.User').cardinality, '1:1');
    const drawn = drawnGraph(m);
    assert.ok(!drawn.tables.some((t) => t.id === 'public._PostToTag'));
    assert.deepEqual(drawn.relations.map((r) => `${r.from} ${r.cardinality} ${r.to}`).sort(), [
      'public.Post 1:N public.User',
      'public.Post N:M public.Tag',
      'public.Profile 1:1 public.User',
    ]);
    // A click on a model leads to its `model Name {` line.
    assert.equal(table(m, 'public.Tag').definition?.line, 12);
    // fk-without-index on Post.authorId, found by the Prisma rule, lands on Post.
    assert.deepEqual(table(m, 'public.Post').findings.map((f) => f.ruleId), ['fk-without-index']);
  });

  it('relationMode = "prisma": the relations are drawn from the schema (no database foreign key), and a note says so', () => {
    const schema = `datasource db {
  provider     = "postgresql"
  url          = env("DATABASE_URL")
  relationMode = "prisma"
}
model User {
  id    Int    @id
  posts Post[]
}
model Post {
  id       Int  @id
  authorId Int
  author   User @relation(fields: [authorId], references: [id])
  @@index([authorId])
}
`;
    const m = prismaDiagram([{ file: '/p/schema.prisma', text: schema }], defaultConfig('/p'), 'schema.prisma');
    assert.deepStrictEqual(m.relations.map((r) => [r.from, r.to, r.cardinality, r.columns.join()]), [['public.Post', 'public.User', '1:N', 'authorId']]);
    assert.ok(table(m, 'public.Post').columns.find((c) => c.name === 'authorId')?.fk, 'authorId is drawn as a key');
    assert.deepStrictEqual(m.notes, ['relationMode = "prisma": the 1 relation is drawn from the schema; the database has no foreign key for it (Prisma checks them itself)']);
  });

  it('puts the findings of the design rules on their tables, with location and fix; the config turns them off', () => {
    const files = [
      `CREATE TABLE accounts (id bigint PRIMARY KEY, balance double precision NOT NULL);
       CREATE TABLE events (at timestamptz, account_id bigint REFERENCES accounts (id));`,
      `CREATE TABLE payments (id bigint PRIMARY KEY, account_id bigint NOT NULL REFERENCES accounts (id));
       ALTER TABLE payments ADD COLUMN fee real;
       CREATE TABLE dropped (amount float8);
       DROP TABLE dropped;`,
    ];
    const m = sqlDiagram(files);
    const ids = (id: string) => table(m, id).findings.map((f) => f.ruleId).sort();
    assert.deepEqual(ids('public.accounts'), ['money-as-float']);
    assert.deepEqual(ids('public.events'), ['fk-without-index', 'missing-primary-key']);
    assert.deepEqual(ids('public.payments'), ['fk-without-index', 'money-as-float']);
    assert.ok(!m.tables.some((t) => t.id === 'public.dropped'), 'a dropped table is not drawn, nor its findings');
    const fee = table(m, 'public.payments').findings.find((f) => f.ruleId === 'money-as-float')!;
    assert.equal(m.files[fee.location!.file], '/m/002.sql');
    assert.equal(fee.location!.line, 1, 'on the ALTER TABLE … ADD COLUMN line');
    const fk = table(m, 'public.events').findings.find((f) => f.ruleId === 'fk-without-index')!;
    assert.equal(fk.hasFix, true);
    assert.equal(fk.severity, 'warning');

    const quiet = sqlDiagram(files, parseConfig({ rules: { 'money-as-float': 'off', 'missing-primary-key': 'error' } }, '/m/.pglens.json'));
    assert.deepEqual(table(quiet, 'public.accounts').findings, []);
    assert.deepEqual(table(quiet, 'public.events').findings.map((f) => `${f.ruleId}:${f.severity}`).sort(), ['fk-without-index:warning', 'missing-primary-key:error']);
  });

  it('row-level security findings land on the table; schemas are groups, public first', () => {
    const m = sqlDiagram([
      `CREATE SCHEMA billing;
       CREATE TABLE billing.invoices (id bigint PRIMARY KEY);
       ALTER TABLE billing.invoices ENABLE ROW LEVEL SECURITY;
       CREATE TABLE notes (id bigint PRIMARY KEY);
       CREATE POLICY own ON notes USING (true);`,
    ]);
    assert.deepEqual(m.schemas, ['public', 'billing']);
    assert.deepEqual(table(m, 'billing.invoices').findings.map((f) => f.ruleId), ['rls-enabled-without-policy']);
    assert.deepEqual(table(m, 'public.notes').findings.map((f) => f.ruleId).sort(), ['policy-without-rls', 'rls-policy-always-true']);
  });

  it('notes a migration that did not parse', () => {
    const m = sqlDiagram(['CREATE TABLE a (id int PRIMARY KEY);', 'CREATE TABLE b (id int PRIMARY KEY;']);
    assert.deepEqual(m.tables.map((t) => t.id), ['public.a']);
    assert.match(m.notes[0], /1 syntax error in 002\.sql/);
  });

  it('the live catalog: the same model, findings from the rules’ predicates without a location', () => {
    const snapshot = {
      server: { database: 'shop', serverVersion: '15.1', serverVersionNum: 150001, isReplica: false, blockSize: 8192, statsReset: null, serverStarted: null },
      schemas: ['public'],
      tables: [
        { schema: 'public', name: 'customers', kind: 'table' },
        { schema: 'public', name: 'orders', kind: 'table' },
      ],
      columns: [
        { schema: 'public', table: 'customers', name: 'id', formattedType: 'bigint', notNull: true, default: null, identity: 'a' },
        { schema: 'public', table: 'orders', name: 'customer_id', formattedType: 'bigint', notNull: false, default: null, identity: '' },
        { schema: 'public', table: 'orders', name: 'total', formattedType: 'double precision', notNull: true, default: null, identity: '' },
      ],
      indexes: [
        { schema: 'public', table: 'customers', name: 'customers_pkey', columns: ['id'], include: [], unique: true, primary: true, constraintType: 'p', constraintName: 'customers_pkey', method: 'btree', predicate: null, valid: true },
      ],
      foreignKeys: [{ name: 'orders_customer_id_fkey', schema: 'public', table: 'orders', columns: ['customer_id'], refSchema: 'public', refTable: 'customers', refColumns: ['id'] }],
      sizesExact: true,
      readAt: '2026-12-05T00:00:00Z',
    } as unknown as CatalogSnapshot;
    const m = liveDiagram(snapshot, 'prod (db:5432/shop)');
    assert.deepEqual(m.source, { kind: 'live', label: 'prod (db:5432/shop)' });
    const r = relation(m, 'public.orders', 'public.customers');
    assert.deepEqual([r.cardinality, r.optional], ['1:N', true]);
    const orders = table(m, 'public.orders');
    assert.deepEqual(orders.findings.map((f) => f.ruleId).sort(), ['fk-without-index', 'missing-primary-key', 'money-as-float']);
    assert.ok(orders.findings.every((f) => f.location === undefined && !f.hasFix));
    assert.deepEqual(table(m, 'public.customers').findings, []);
    assert.equal(orders.definition, undefined);
  });

  it('the live catalog: a partition (partitionOf from pg_inherits) folds into its parent', () => {
    const snapshot = {
      server: { database: 'shop', serverVersion: '15.1', serverVersionNum: 150001, isReplica: false, blockSize: 8192, statsReset: null, serverStarted: null },
      schemas: ['public'],
      tables: [
        { schema: 'public', name: 'events', kind: 'partitioned table' },
        { schema: 'public', name: 'events_2024', kind: 'table', isPartition: true, partitionOf: 'public.events' },
      ],
      columns: [
        { schema: 'public', table: 'events', name: 'id', formattedType: 'bigint', notNull: true, default: null, identity: '' },
        { schema: 'public', table: 'events_2024', name: 'id', formattedType: 'bigint', notNull: true, default: null, identity: '' },
      ],
      indexes: [],
      foreignKeys: [],
      sizesExact: true,
      readAt: '2026-12-05T00:00:00Z',
    } as unknown as CatalogSnapshot;
    const m = liveDiagram(snapshot, 'prod');
    assert.deepEqual(m.tables.map((t) => t.id), ['public.events']);
    assert.deepEqual(table(m, 'public.events').partitions, ['events_2024']);
  });

  it('a partitioned table is one box: its partitions are listed on it, not drawn, and a foreign key to it is one relation', () => {
    const m = sqlDiagram([
      `CREATE TABLE devices (id bigint PRIMARY KEY);
CREATE TABLE measurements (id bigint, at timestamptz NOT NULL, device_id bigint NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE measurements_2024 PARTITION OF measurements FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE measurements_2025 PARTITION OF measurements FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE alerts (id bigint PRIMARY KEY, measurement_id bigint, measurement_at timestamptz,
  FOREIGN KEY (measurement_id, measurement_at) REFERENCES measurements (id, at));`,
    ]);
    assert.deepEqual(m.tables.map((t) => t.id), ['public.devices', 'public.measurements', 'public.alerts']);
    assert.deepEqual(table(m, 'public.measurements').partitions, ['measurements_2024', 'measurements_2025']);
    assert.equal(table(m, 'public.devices').partitions, undefined);
    assert.deepEqual(m.relations.map((r) => `${r.from}→${r.to}`), ['public.alerts→public.measurements']);
  });

  it('partitions: ATTACH PARTITION folds too, relations from a partition go to the parent once, its findings to the parent', () => {
    const m = sqlDiagram([
      `CREATE TABLE devices (id bigint PRIMARY KEY);
CREATE TABLE measurements (id bigint, at timestamptz NOT NULL, device_id bigint NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE measurements_2024 PARTITION OF measurements FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');`,
      `CREATE TABLE measurements_2025 (id bigint NOT NULL, at timestamptz NOT NULL, device_id bigint NOT NULL);
ALTER TABLE measurements ATTACH PARTITION measurements_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
ALTER TABLE measurements_2024 ADD CONSTRAINT m24_device FOREIGN KEY (device_id) REFERENCES devices (id);
ALTER TABLE measurements_2025 ADD CONSTRAINT m25_device FOREIGN KEY (device_id) REFERENCES devices (id);`,
    ]);
    assert.deepEqual(m.tables.map((t) => t.id), ['public.devices', 'public.measurements']);
    const parent = table(m, 'public.measurements');
    assert.deepEqual(parent.partitions, ['measurements_2024', 'measurements_2025']);
    assert.deepEqual(m.relations.map((r) => `${r.from}→${r.to} ${r.columns}`), ['public.measurements→public.devices device_id'], 'deduplicated');
    assert.ok(parent.findings.some((f) => f.ruleId === 'fk-without-index'), `findings: ${parent.findings.map((f) => f.ruleId).join(', ')}`);
    assert.ok(!toMermaid(m).includes('measurements_2024'), 'Mermaid omits partitions');
  });

  it('the partitions of a partition fold into the topmost parent; DETACH PARTITION draws it again', () => {
    const m = sqlDiagram([
      `CREATE TABLE events (id bigint, at timestamptz NOT NULL, kind text NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01') PARTITION BY LIST (kind);
CREATE TABLE events_2024_a PARTITION OF events_2024 FOR VALUES IN ('a');
CREATE TABLE events_old PARTITION OF events FOR VALUES FROM ('2000-01-01') TO ('2024-01-01');
ALTER TABLE events DETACH PARTITION events_old;`,
    ]);
    assert.deepEqual(m.tables.map((t) => t.id), ['public.events', 'public.events_old']);
    assert.deepEqual(table(m, 'public.events').partitions, ['events_2024', 'events_2024_a']);
  });

  it('finds the migrations and the Prisma schema of a workspace (examples/shop)', () => {
    const root = path.resolve(__dirname, '../../../examples/shop');
    const sources = findDiagramSources(root, { config: defaultConfig(root) });
    assert.deepEqual(sources.map((s) => [s.id, s.kind]), [
      ['migrations:migrations/', 'migrations'],
      ['prisma:schema.prisma', 'prisma'],
    ]);
    const sql = sources[0].load();
    assert.deepEqual(sql.tables.map((t) => t.name), ['customers', 'products', 'orders', 'order_items']);
    assert.equal(relation(sql, 'public.orders', 'public.products', 'N:M').via, 'public.order_items');
    assert.deepEqual(table(sql, 'public.products').findings.map((f) => f.ruleId), ['money-as-float']);
    const prisma = sources[1].load();
    assert.deepEqual(prisma.tables.map((t) => t.name), ['customers', 'orders', 'order_items']);
  });
});

describe('schema diagram: search and focus', () => {
  before(() => loadSqlParser());

  it('search matches names first, then columns, case-insensitively', () => {
    const m = sqlDiagram([SHOP]);
    const index = searchIndex(drawnGraph(m).tables);
    assert.deepEqual(searchTables(index, 'ORDER'), { byName: ['public.orders', 'public.order_products', 'public.order_notes'], byColumn: [] });
    assert.deepEqual(searchTables(index, 'bio'), { byName: [], byColumn: ['public.profiles'] });
    assert.deepEqual(searchTables(index, 'customer_id').byColumn.sort(), ['public.orders', 'public.passports', 'public.profiles']);
    assert.deepEqual(searchTables(index, '  '), { byName: [], byColumn: [] });
  });

  it('focus keeps the tables within depth 1 or 2', () => {
    const m = sqlDiagram([SHOP]);
    assert.deepEqual([...neighbourhood(m, 'public.products', 1)].sort(), ['public.order_products', 'public.products']);
    assert.deepEqual([...neighbourhood(m, 'public.products', 2)].sort(), ['public.order_products', 'public.orders', 'public.products']);
  });

  it('buildDiagram is pure: a model without sources has no locations', () => {
    const m = buildDiagram({ tables: new Map([['public.t', { schema: 'public', name: 't', columns: [], indexes: [], foreignKeys: [] }]]) }, { source: { kind: 'live', label: 'x' } });
    assert.deepEqual(m.tables[0], { id: 'public.t', schema: 'public', name: 't', columns: [], findings: [] });
    assert.deepEqual(m.files, []);
  });
});
