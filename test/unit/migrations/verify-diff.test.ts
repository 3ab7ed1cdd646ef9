import * as assert from 'node:assert/strict';
import { describeDifference, diffSnapshots } from '../../../src/core/migrations/verify/diff';
import { indexWithoutName, isGeneratedName } from '../../../src/core/migrations/verify/snapshot';
import type { CatalogSnapshot, SnapshotObject } from '../../../src/core/migrations/verify/types';

/** A small schema as snapshotCatalog reads it: public.users, public.orders, enum public.mood. */
function base(): Record<string, SnapshotObject> {
  return {
    'schema public': { kind: 'schema', name: 'public', attributes: {} },
    'table public.users': { kind: 'table', name: 'public.users', attributes: { kind: 'table', persistence: 'permanent', 'row level security': 'disabled' }, parent: 'schema public' },
    'column public.users.id': { kind: 'column', name: 'public.users.id', table: 'public.users', attributes: { type: 'integer', nullability: 'NOT NULL', default: 'nextval(<owned sequence>)' }, parent: 'table public.users' },
    'column public.users.email': { kind: 'column', name: 'public.users.email', table: 'public.users', attributes: { type: 'text', nullability: 'NOT NULL' }, parent: 'table public.users' },
    'column public.users.mood': { kind: 'column', name: 'public.users.mood', table: 'public.users', attributes: { type: 'public.mood', nullability: 'nullable', default: "'ok'::public.mood" }, parent: 'table public.users' },
    'constraint public.users PRIMARY KEY (id)': {
      kind: 'constraint', name: 'users_pkey', table: 'public.users',
      attributes: { type: 'primary key', definition: 'PRIMARY KEY (id)', deferrable: 'NOT DEFERRABLE', validated: 'valid' }, parent: 'table public.users',
    },
    'table public.orders': { kind: 'table', name: 'public.orders', attributes: { kind: 'table', persistence: 'permanent', 'row level security': 'disabled' }, parent: 'schema public' },
    'column public.orders.user_id': { kind: 'column', name: 'public.orders.user_id', table: 'public.orders', attributes: { type: 'integer', nullability: 'nullable' }, parent: 'table public.orders' },
    'index public.orders CREATE INDEX ON public.orders USING btree (user_id)': {
      kind: 'index', name: 'orders_user_id_idx', table: 'public.orders',
      attributes: { definition: 'CREATE INDEX ON public.orders USING btree (user_id)', state: 'valid' }, parent: 'table public.orders',
    },
    'constraint public.orders FOREIGN KEY (user_id) REFERENCES public.users(id)': {
      kind: 'constraint', name: 'orders_user_id_fkey', table: 'public.orders',
      attributes: { type: 'foreign key', definition: 'FOREIGN KEY (user_id) REFERENCES public.users(id)', deferrable: 'NOT DEFERRABLE', validated: 'valid' }, parent: 'table public.orders',
    },
    'trigger public.orders audit': {
      kind: 'trigger', name: 'audit', table: 'public.orders',
      attributes: { definition: 'CREATE TRIGGER audit AFTER INSERT ON public.orders FOR EACH ROW EXECUTE FUNCTION public.audit()', enabled: 'enabled' }, parent: 'table public.orders',
    },
    'type public.mood': { kind: 'type', name: 'public.mood', attributes: { kind: 'enum', values: "'sad', 'ok', 'happy'" }, parent: 'schema public' },
    "enum-value public.mood 'sad'": { kind: 'enum-value', name: "public.mood 'sad'", attributes: { type: 'public.mood', value: 'sad' }, parent: 'type public.mood' },
    "enum-value public.mood 'ok'": { kind: 'enum-value', name: "public.mood 'ok'", attributes: { type: 'public.mood', value: 'ok' }, parent: 'type public.mood' },
    "enum-value public.mood 'happy'": { kind: 'enum-value', name: "public.mood 'happy'", attributes: { type: 'public.mood', value: 'happy' }, parent: 'type public.mood' },
    'function public.audit()': {
      kind: 'function', name: 'public.audit()',
      attributes: { kind: 'function', arguments: '', returns: 'trigger', language: 'plpgsql', volatility: 'VOLATILE', body: 'BEGIN\n  INSERT INTO log VALUES (NEW.id);\n  RETURN NEW;\nEND' },
      parent: 'schema public',
    },
  };
}

function snapshot(objects: Record<string, SnapshotObject>): CatalogSnapshot {
  return { objects: new Map(Object.entries(objects)) };
}

/** A copy of base() with edits: undefined removes the key. */
function edited(edits: Record<string, SnapshotObject | undefined>): CatalogSnapshot {
  const objects = { ...base(), ...edits };
  for (const [k, v] of Object.entries(edits)) if (v === undefined) delete objects[k];
  return snapshot(objects as Record<string, SnapshotObject>);
}

const lines = (before: CatalogSnapshot, after: CatalogSnapshot) => diffSnapshots(before, after).map(describeDifference);

describe('rollback verification: diffSnapshots / describeDifference', () => {
  it('finds nothing between equal snapshots, whatever the insertion order', () => {
    const reversed = snapshot(Object.fromEntries(Object.entries(base()).reverse()));
    assert.deepEqual(diffSnapshots(snapshot(base()), reversed), []);
  });

  it('reports a missing index with the DDL that recreates it', () => {
    const diff = diffSnapshots(snapshot(base()), edited({ 'index public.orders CREATE INDEX ON public.orders USING btree (user_id)': undefined }));
    assert.equal(diff.length, 1);
    assert.equal(diff[0].change, 'missing');
    assert.equal(diff[0].kind, 'index');
    assert.equal(diff[0].table, 'public.orders');
    assert.deepEqual(diff[0].attributes?.definition, ['CREATE INDEX ON public.orders USING btree (user_id)', undefined]);
    assert.equal(describeDifference(diff[0]), 'index on public.orders (user_id) is missing after the down: CREATE INDEX orders_user_id_idx ON public.orders USING btree (user_id)');
  });

  it('labels unique and non-btree indexes', () => {
    const uniq: SnapshotObject = { kind: 'index', name: 'users_lower_idx', table: 'public.users', attributes: { definition: 'CREATE UNIQUE INDEX ON public.users USING btree (lower(email))', state: 'valid' } };
    const gin: SnapshotObject = { kind: 'index', name: 'docs', table: 'public.users', attributes: { definition: 'CREATE INDEX ON public.users USING gin (tags)', state: 'valid', name: 'docs' } };
    assert.deepEqual(lines(snapshot(base()), edited({ 'index a': uniq, 'index b': gin })), [
      'index on public.users USING gin (tags) is left behind by the down: CREATE INDEX docs ON public.users USING gin (tags)',
      'unique index on public.users (lower(email)) is left behind by the down: CREATE UNIQUE INDEX users_lower_idx ON public.users USING btree (lower(email))',
    ]);
  });

  it('reports a column type, default and nullability change per attribute', () => {
    const after = edited({
      'column public.users.email': { kind: 'column', name: 'public.users.email', table: 'public.users', attributes: { type: 'character varying(255)', nullability: 'NOT NULL' }, parent: 'table public.users' },
      'column public.users.mood': { kind: 'column', name: 'public.users.mood', table: 'public.users', attributes: { type: 'public.mood', nullability: 'NOT NULL' }, parent: 'table public.users' },
    });
    const diff = diffSnapshots(snapshot(base()), after);
    assert.deepEqual(diff.map((d) => [d.change, d.name, d.attributes]), [
      ['changed', 'public.users.email', { type: ['text', 'character varying(255)'] }],
      ['changed', 'public.users.mood', { default: ["'ok'::public.mood", undefined], nullability: ['nullable', 'NOT NULL'] }],
    ]);
    assert.deepEqual(diff.map(describeDifference), [
      'column public.users.email: type was text, is now character varying(255)',
      "column public.users.mood: default was 'ok'::public.mood, is now none; nullability was nullable, is now NOT NULL",
    ]);
  });

  it('reports an enum value lost, not the enum as changed too', () => {
    const after = edited({
      'type public.mood': { kind: 'type', name: 'public.mood', attributes: { kind: 'enum', values: "'sad', 'happy'" }, parent: 'schema public' },
      "enum-value public.mood 'ok'": undefined,
    });
    assert.deepEqual(lines(snapshot(base()), after), ["enum public.mood lost value 'ok'"]);
  });

  it('reports an enum value left behind, and a reordering as such', () => {
    const gained = edited({
      'type public.mood': { kind: 'type', name: 'public.mood', attributes: { kind: 'enum', values: "'sad', 'ok', 'happy', 'meh'" }, parent: 'schema public' },
      "enum-value public.mood 'meh'": { kind: 'enum-value', name: "public.mood 'meh'", attributes: { type: 'public.mood', value: 'meh' }, parent: 'type public.mood' },
    });
    assert.deepEqual(lines(snapshot(base()), gained), ["enum public.mood has value 'meh' left behind by the down"]);
    const reordered = edited({ 'type public.mood': { kind: 'type', name: 'public.mood', attributes: { kind: 'enum', values: "'ok', 'sad', 'happy'" }, parent: 'schema public' } });
    assert.deepEqual(lines(snapshot(base()), reordered), ["enum public.mood: value order was 'sad', 'ok', 'happy', is now 'ok', 'sad', 'happy'"]);
  });

  it('reports a left-behind table once, not its columns, indexes and constraints', () => {
    const after = edited({
      'table public.tmp': { kind: 'table', name: 'public.tmp', attributes: { kind: 'table', persistence: 'permanent', 'row level security': 'disabled' }, parent: 'schema public' },
      'column public.tmp.id': { kind: 'column', name: 'public.tmp.id', table: 'public.tmp', attributes: { type: 'integer', nullability: 'NOT NULL' }, parent: 'table public.tmp' },
      'constraint public.tmp PRIMARY KEY (id)': { kind: 'constraint', name: 'tmp_pkey', table: 'public.tmp', attributes: { type: 'primary key', definition: 'PRIMARY KEY (id)' }, parent: 'table public.tmp' },
      'sequence owned by public.tmp.id': { kind: 'sequence', name: 'public.tmp_id_seq', table: 'public.tmp', attributes: { 'data type': 'integer', 'owned by': 'public.tmp.id' }, parent: 'column public.tmp.id' },
    });
    assert.deepEqual(lines(snapshot(base()), after), ['table public.tmp is left behind by the down']);
  });

  it('reports a missing table once, but still the foreign key another table lost with it', () => {
    const after = edited({
      'table public.users': undefined,
      'column public.users.id': undefined,
      'column public.users.email': undefined,
      'column public.users.mood': undefined,
      'constraint public.users PRIMARY KEY (id)': undefined,
      'constraint public.orders FOREIGN KEY (user_id) REFERENCES public.users(id)': undefined,
    });
    assert.deepEqual(lines(snapshot(base()), after), [
      'foreign key constraint orders_user_id_fkey on public.orders is missing after the down: ALTER TABLE public.orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id)',
      'table public.users is missing after the down',
    ]);
  });

  it('reports a missing schema once, not what was in it; a dropped enum once, not its values', () => {
    const before = snapshot({
      ...base(),
      'schema audit': { kind: 'schema', name: 'audit', attributes: {} },
      'table audit.log': { kind: 'table', name: 'audit.log', attributes: { kind: 'table' }, parent: 'schema audit' },
      'column audit.log.at': { kind: 'column', name: 'audit.log.at', table: 'audit.log', attributes: { type: 'timestamp with time zone', nullability: 'nullable' }, parent: 'table audit.log' },
      'function audit.f()': { kind: 'function', name: 'audit.f()', attributes: { kind: 'function', returns: 'void', language: 'sql', body: 'SELECT 1' }, parent: 'schema audit' },
    });
    const after = edited({ 'type public.mood': undefined, "enum-value public.mood 'sad'": undefined, "enum-value public.mood 'ok'": undefined, "enum-value public.mood 'happy'": undefined });
    assert.deepEqual(lines(before, after), [
      'schema audit is missing after the down',
      "enum public.mood is missing after the down: values 'sad', 'ok', 'happy'",
    ]);
  });

  it('sorts by table, then kind, then name', () => {
    const after = edited({
      'trigger public.orders audit': undefined,
      'index public.orders CREATE INDEX ON public.orders USING btree (user_id)': undefined,
      'column public.users.email': undefined,
      'table public.a': { kind: 'table', name: 'public.a', attributes: { kind: 'table' }, parent: 'schema public' },
      'column public.orders.note': { kind: 'column', name: 'public.orders.note', table: 'public.orders', attributes: { type: 'text', nullability: 'nullable' }, parent: 'table public.orders' },
    });
    const diff = diffSnapshots(snapshot(base()), after);
    assert.deepEqual(diff.map((d) => `${d.change} ${d.kind} ${d.name}`), [
      'extra table public.a',
      'extra column public.orders.note',
      'missing index orders_user_id_idx',
      'missing trigger audit',
      'missing column public.users.email',
    ]);
    assert.deepEqual(diffSnapshots(snapshot(base()), after), diff, 'deterministic');
    assert.equal(describeDifference(diff[1]), 'column public.orders.note is left behind by the down: text');
    assert.equal(describeDifference(diff[3]), 'trigger audit on public.orders is missing after the down: CREATE TRIGGER audit AFTER INSERT ON public.orders FOR EACH ROW EXECUTE FUNCTION public.audit()');
    assert.equal(describeDifference(diff[4]), 'column public.users.email is missing after the down: text NOT NULL');
  });

  it('names the first changed line of a function body', () => {
    const after = edited({
      'function public.audit()': {
        kind: 'function', name: 'public.audit()',
        attributes: { kind: 'function', arguments: '', returns: 'trigger', language: 'plpgsql', volatility: 'VOLATILE', body: 'BEGIN\n  INSERT INTO log VALUES (NEW.id, now());\n  RETURN NEW;\nEND' },
        parent: 'schema public',
      },
    });
    assert.deepEqual(lines(snapshot(base()), after), ['function public.audit(): body changed (line 2 was `INSERT INTO log VALUES (NEW.id);`, is now `INSERT INTO log VALUES (NEW.id, now());`)']);
  });

  it('reports a lost custom index name, and grants per grantee', () => {
    const before = snapshot({
      ...base(),
      'index public.orders CREATE INDEX ON public.orders USING btree (user_id)': {
        kind: 'index', name: 'by_user', table: 'public.orders', attributes: { definition: 'CREATE INDEX ON public.orders USING btree (user_id)', state: 'valid', name: 'by_user' },
      },
      'grant public.orders': { kind: 'grant', name: 'public.orders', table: 'public.orders', attributes: { postgres: 'INSERT, SELECT', app: 'SELECT' } },
    });
    const after = snapshot({
      ...base(),
      'grant public.orders': { kind: 'grant', name: 'public.orders', table: 'public.orders', attributes: { postgres: 'INSERT, SELECT', app: 'SELECT, INSERT' } },
    });
    assert.deepEqual(lines(before, after), [
      'index by_user on public.orders: was named by_user, now has a generated name',
      'grants on public.orders: app had SELECT, now has SELECT, INSERT',
    ]);
  });
});

describe('rollback verification: NOT NULL and CHECK (col IS NOT NULL), runner bookkeeping', () => {
  const email = (nullability: string): SnapshotObject => ({
    kind: 'column', name: 'public.users.email', table: 'public.users', attributes: { type: 'text', nullability }, parent: 'table public.users',
  });
  const check = (validated: string): SnapshotObject => ({
    kind: 'constraint', name: 'users_email_not_null', table: 'public.users',
    attributes: { type: 'check', definition: 'CHECK ((email IS NOT NULL))', deferrable: 'NOT DEFERRABLE', validated, name: 'users_email_not_null' },
    parent: 'table public.users',
  });
  const CHECK_KEY = 'constraint public.users CHECK ((email IS NOT NULL))';

  it('a down that swaps NOT NULL for a validated CHECK (col IS NOT NULL) is one difference of the column, saying both', () => {
    const diff = diffSnapshots(snapshot(base()), edited({ 'column public.users.email': email('nullable'), [CHECK_KEY]: check('valid') }));
    assert.deepEqual(diff.map((d) => [d.change, d.kind, d.name]), [['changed', 'column', 'public.users.email']]);
    assert.deepEqual(diff[0].attributes, { nullability: ['NOT NULL', 'nullable'], 'not null check': [undefined, 'users_email_not_null CHECK ((email IS NOT NULL))'] });
    assert.equal(
      describeDifference(diff[0]),
      'column public.users.email: NOT NULL was replaced by the validated check constraint users_email_not_null CHECK (email IS NOT NULL) — the same rows are accepted, ' +
        "but it is not the same schema: the column is now nullable in the catalog (pg_attribute.attnotnull), which psql's \\d, pg_dump and schema introspection (ORMs, prisma db pull) show",
    );
  });

  it('and the other way: the check was there before the up, the down leaves NOT NULL instead', () => {
    const before = edited({ 'column public.users.email': email('nullable'), [CHECK_KEY]: check('valid') });
    const diff = diffSnapshots(before, snapshot(base()));
    assert.deepEqual(diff.map((d) => [d.change, d.kind, d.attributes?.['not null check']]), [['changed', 'column', ['users_email_not_null CHECK ((email IS NOT NULL))', undefined]]]);
    assert.match(describeDifference(diff[0]), /^column public\.users\.email: the validated check constraint users_email_not_null CHECK \(email IS NOT NULL\) was replaced by NOT NULL — .* the column is now NOT NULL in the catalog/);
  });

  it('a NOT VALID check does not vouch for the rows: two differences; another column\'s check is not taken', () => {
    const notValid = diffSnapshots(snapshot(base()), edited({ 'column public.users.email': email('nullable'), [CHECK_KEY]: check('NOT VALID') }));
    assert.deepEqual(notValid.map((d) => [d.change, d.kind]), [['changed', 'column'], ['extra', 'constraint']]);
    const other: SnapshotObject = { ...check('valid'), attributes: { ...check('valid').attributes, definition: 'CHECK ((mood IS NOT NULL))' } };
    const elsewhere = diffSnapshots(snapshot(base()), edited({ 'column public.users.email': email('nullable'), 'constraint public.users CHECK ((mood IS NOT NULL))': other }));
    assert.deepEqual(elsewhere.map((d) => [d.change, d.kind]), [['changed', 'column'], ['extra', 'constraint']]);
  });

  it("a runner's bookkeeping left behind (its table, sequence, key; a schema of its own; sqitch's registry) is no difference", () => {
    const table = (schema: string, name: string): Record<string, SnapshotObject> => ({
      [`table ${schema}.${name}`]: { kind: 'table', name: `${schema}.${name}`, attributes: { kind: 'table' }, parent: `schema ${schema}` },
      [`column ${schema}.${name}.id`]: { kind: 'column', name: `${schema}.${name}.id`, table: `${schema}.${name}`, attributes: { type: 'integer', nullability: 'NOT NULL' }, parent: `table ${schema}.${name}` },
      [`constraint ${schema}.${name} PRIMARY KEY (id)`]: { kind: 'constraint', name: `${name}_pkey`, table: `${schema}.${name}`, attributes: { type: 'primary key', definition: 'PRIMARY KEY (id)' }, parent: `table ${schema}.${name}` },
      [`sequence owned by ${schema}.${name}.id`]: { kind: 'sequence', name: `${schema}.${name}_id_seq`, table: `${schema}.${name}`, attributes: { 'owned by': `${schema}.${name}.id` }, parent: `column ${schema}.${name}.id` },
    });
    const after = edited({
      ...table('public', 'goose_db_version'),
      ...table('public', 'schema_migrations'),
      // sql-migrate's SetSchema("migrate_meta"): a schema holding its table only.
      'schema migrate_meta': { kind: 'schema', name: 'migrate_meta', attributes: {} },
      ...table('migrate_meta', 'gorp_migrations'),
      'schema sqitch': { kind: 'schema', name: 'sqitch', attributes: {} },
      ...table('sqitch', 'changes'),
    });
    assert.deepEqual(lines(snapshot(base()), after), []);
    // Missing (a down that drops a former runner's table) neither; a user table beside it still counts.
    assert.deepEqual(lines(after, snapshot(base())), []);
    assert.deepEqual(lines(snapshot(base()), edited({ ...table('public', 'goose_db_version'), ...table('public', 'audit') })), ['table public.audit is left behind by the down']);
  });
});

describe('rollback verification: naming rule', () => {
  it('recognises names Postgres generates', () => {
    for (const [name, table] of [
      ['orders_user_id_idx', 'orders'],
      ['orders_user_id_idx1', 'orders'],
      ['orders_user_id_created_at_idx', 'orders'],
      ['orders_expr_idx', 'orders'],
      ['orders_pkey', 'orders'],
      ['users_email_key', 'users'],
      ['orders_user_id_fkey', 'orders'],
      ['orders_total_check', 'orders'],
      ['orders_check', 'orders'],
      ['rooms_during_excl', 'rooms'],
      ['users_id_seq', 'users'],
      // truncated to 63 bytes: the table part is cut too
      ['a_very_long_table_name_that_goes_on_an_column_with_long_nam_idx', 'a_very_long_table_name_that_goes_on_and_on_and_on_forever'],
    ]) {
      assert.ok(isGeneratedName(name, table), `${name} on ${table}`);
    }
    for (const [name, table] of [['by_user', 'orders'], ['orders_by_user', 'orders'], ['idx_orders_user', 'orders'], ['users_email_key', 'orders'], ['pk_orders', 'orders']]) {
      assert.ok(!isGeneratedName(name, table), `${name} on ${table}`);
    }
  });

  it('takes the name out of an index definition', () => {
    assert.equal(indexWithoutName('CREATE INDEX orders_user_id_idx ON public.orders USING btree (user_id)', 'orders_user_id_idx'), 'CREATE INDEX ON public.orders USING btree (user_id)');
    assert.equal(indexWithoutName('CREATE UNIQUE INDEX "Odd Name" ON ONLY public.t USING btree (a)', '"Odd Name"'), 'CREATE UNIQUE INDEX ON ONLY public.t USING btree (a)');
  });

  it('reads a difference that went through JSON (null for undefined) as the original', () => {
    const d = JSON.parse(
      JSON.stringify({ change: 'changed', kind: 'index', name: 'idx_x', table: 'public.t', attributes: { name: ['public.idx_x', undefined] } }),
    );
    assert.match(describeDifference(d), /was named public\.idx_x, now has a generated name/);
  });
});
