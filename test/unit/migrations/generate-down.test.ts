import * as assert from 'node:assert/strict';
import { loadSqlParser } from '../../../src/core/sql/parse';
import { generateDown, judgeGeneratedDown, readUpHints, widens, type GeneratedDown } from '../../../src/core/migrations/verify/generate-down';
import type { CatalogSnapshot, SnapshotObject } from '../../../src/core/migrations/verify/types';
import { applyEdits, writeDown } from '../../../src/core/migrations/verify/write-down';
import type { Migration, MigrationSet, RunnerId } from '../../../src/core/migrations/migration';

// Snapshot objects as snapshotCatalog builds them (keys, names, parents), by kind.
type Entry = [string, SnapshotObject];
const TABLE_ATTRS = { kind: 'table', persistence: 'permanent', 'row level security': 'disabled' };

const schema = (name = 'public'): Entry => [`schema ${name}`, { kind: 'schema', name, attributes: {} }];
const table = (q: string, attributes: Record<string, string> = {}): Entry => [
  `table ${q}`,
  { kind: 'table', name: q, attributes: { ...TABLE_ATTRS, ...attributes }, parent: `schema ${q.split('.')[0]}` },
];
const column = (t: string, col: string, type: string, more: Record<string, string> = {}): Entry => [
  `column ${t}.${col}`,
  { kind: 'column', name: `${t}.${col}`, table: t, attributes: { type, nullability: 'nullable', ...more }, parent: `table ${t}` },
];
const index = (t: string, name: string, def: string, more: Record<string, string> = {}): Entry => [
  `index ${t} ${def}`,
  { kind: 'index', name, table: t, attributes: { definition: def, state: 'valid', ...more }, parent: `table ${t}` },
];
const constraint = (t: string, name: string, type: string, def: string, more: Record<string, string> = {}): Entry => [
  `constraint ${t} ${def}`,
  { kind: 'constraint', name, table: t, attributes: { type, definition: def, deferrable: 'NOT DEFERRABLE', validated: 'valid', ...more }, parent: `table ${t}` },
];
const enumType = (q: string, values: string[]): Entry[] => [
  [`type ${q}`, { kind: 'type', name: q, attributes: { kind: 'enum', values: values.map((v) => `'${v}'`).join(', ') }, parent: `schema ${q.split('.')[0]}` }],
  ...values.map((v): Entry => [`enum-value ${q} '${v}'`, { kind: 'enum-value', name: `${q} '${v}'`, attributes: { type: q, value: v }, parent: `type ${q}` }]),
];
const fn = (signature: string, body: string, more: Record<string, string> = {}): Entry => [
  `function ${signature}`,
  {
    kind: 'function',
    name: signature,
    attributes: { kind: 'function', arguments: '', returns: 'trigger', language: 'plpgsql', volatility: 'VOLATILE', strict: 'CALLED ON NULL INPUT', security: 'SECURITY INVOKER', parallel: 'PARALLEL UNSAFE', body, ...more },
    parent: 'schema public',
  },
];
const view = (q: string, definition: string): Entry => [`view ${q}`, { kind: 'view', name: q, attributes: { kind: 'view', definition }, parent: 'schema public' }];
const trigger = (t: string, name: string, def: string): Entry => [`trigger ${t} ${name}`, { kind: 'trigger', name, table: t, attributes: { definition: def, enabled: 'enabled' }, parent: `table ${t}` }];
const policy = (t: string, name: string, attrs: Record<string, string>): Entry => [`policy ${t} ${name}`, { kind: 'policy', name, table: t, attributes: { command: 'ALL', type: 'PERMISSIVE', roles: 'public', ...attrs }, parent: `table ${t}` }];

const snap = (...entries: Array<Entry | Entry[]>): CatalogSnapshot => ({ objects: new Map(entries.flatMap((e) => (Array.isArray(e[0]) ? (e as Entry[]) : [e as Entry]))) });

/** users(id, name) with its primary key, the base most cases start from. */
const USERS: Entry[] = [
  schema(),
  table('public.users'),
  column('public.users', 'id', 'bigint', { nullability: 'NOT NULL' }),
  column('public.users', 'name', 'text', { nullability: 'NOT NULL' }),
  constraint('public.users', 'users_pkey', 'primary key', 'PRIMARY KEY (id)'),
];

const statements = (d: GeneratedDown) => d.statements.filter((s) => s.sql !== undefined).map((s) => s.sql);

describe('generateDown: the statements that take the schema after an up back to before it', () => {
  before(() => loadSqlParser());

  it('drops what the up created, dependents first: FK, check, index, column, then the table', () => {
    const before = snap(...USERS);
    const after = snap(
      ...USERS,
      column('public.users', 'email', 'text'),
      index('public.users', 'users_email_idx', 'CREATE INDEX ON public.users USING btree (email)'),
      constraint('public.users', 'users_name_len', 'check', 'CHECK ((length(name) < 100))', { name: 'users_name_len' }),
      table('public.orders'),
      column('public.orders', 'id', 'bigint', { nullability: 'NOT NULL' }),
      column('public.orders', 'user_id', 'bigint'),
      constraint('public.orders', 'orders_pkey', 'primary key', 'PRIMARY KEY (id)'),
      constraint('public.orders', 'orders_user_id_fkey', 'foreign key', 'FOREIGN KEY (user_id) REFERENCES public.users(id)'),
      index('public.orders', 'orders_user_id_idx', 'CREATE INDEX ON public.orders USING btree (user_id)'),
    );
    const down = generateDown(before, after);
    assert.deepEqual(statements(down), [
      'ALTER TABLE public.users DROP CONSTRAINT users_name_len',
      'DROP INDEX public.users_email_idx',
      'ALTER TABLE public.users DROP COLUMN email',
      'DROP TABLE public.orders',
    ]);
    assert.deepEqual(down.irreversible, []);
    assert.match(down.sql, /^ALTER TABLE public\.users DROP CONSTRAINT users_name_len;\n/);
  });

  it('drops a foreign key of a table that stays before the table it references, and tables referencing others first', () => {
    const before = snap(...USERS);
    const after = snap(
      ...USERS,
      column('public.users', 'team_id', 'bigint'),
      table('public.teams'),
      column('public.teams', 'id', 'bigint', { nullability: 'NOT NULL' }),
      constraint('public.teams', 'teams_pkey', 'primary key', 'PRIMARY KEY (id)'),
      table('public.members'),
      column('public.members', 'team_id', 'bigint'),
      constraint('public.members', 'members_team_id_fkey', 'foreign key', 'FOREIGN KEY (team_id) REFERENCES public.teams(id)'),
      constraint('public.users', 'users_team_id_fkey', 'foreign key', 'FOREIGN KEY (team_id) REFERENCES public.teams(id)'),
    );
    assert.deepEqual(statements(generateDown(before, after)), [
      'ALTER TABLE public.users DROP CONSTRAINT users_team_id_fkey',
      'ALTER TABLE public.users DROP COLUMN team_id',
      'DROP TABLE public.members',
      'DROP TABLE public.teams',
    ]);
  });

  it('re-creates what the up dropped: index with its name, constraints (FK last), a column empty — said so', () => {
    const before = snap(
      ...USERS,
      column('public.users', 'email', 'character varying(255)', { default: "''::character varying", nullability: 'NOT NULL' }),
      index('public.users', 'by_email', 'CREATE UNIQUE INDEX ON public.users USING btree (lower((email)::text))', { name: 'by_email' }),
      constraint('public.users', 'users_name_check', 'check', "CHECK ((name <> ''::text))"),
      table('public.orders'),
      column('public.orders', 'user_id', 'bigint'),
      constraint('public.orders', 'orders_user_id_fkey', 'foreign key', 'FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE', { deferrable: 'DEFERRABLE INITIALLY DEFERRED', validated: 'NOT VALID' }),
    );
    const after = snap(...USERS, table('public.orders'), column('public.orders', 'user_id', 'bigint'));
    const down = generateDown(before, after);
    assert.deepEqual(statements(down), [
      "ALTER TABLE public.users ADD COLUMN email character varying(255) DEFAULT ''::character varying NOT NULL",
      "ALTER TABLE public.users ADD CONSTRAINT users_name_check CHECK ((name <> ''::text))",
      'CREATE UNIQUE INDEX by_email ON public.users USING btree (lower((email)::text))',
      'ALTER TABLE public.orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED NOT VALID',
    ]);
    assert.deepEqual(down.irreversible, ["column public.users.email: the up dropped it with its values; the down re-adds it with its default"]);
    assert.match(down.sql, /-- The up dropped column public\.users\.email: it is re-added with its default, its values are lost\.\nALTER TABLE public\.users ADD COLUMN email/);
  });

  it('re-adds a NOT NULL column without a default as nullable (a table with rows could not take it), SET NOT NULL commented', () => {
    const before = snap(...USERS, column('public.users', 'age', 'integer', { nullability: 'NOT NULL' }));
    const down = generateDown(before, snap(...USERS));
    assert.deepEqual(statements(down), ['ALTER TABLE public.users ADD COLUMN age integer']);
    assert.match(down.sql, /-- public\.users\.age was NOT NULL, without a default: a table with rows cannot take it back so\. Fill it, then:\n-- {3}ALTER TABLE public\.users ALTER COLUMN age SET NOT NULL;/);
    assert.deepEqual(down.residual, [{ change: 'changed', kind: 'column', name: 'public.users.age' }]);
  });

  it('a composite type the up changed is altered back attribute by attribute', () => {
    const composite = (attributes: string): Entry => ['type public.vote', { kind: 'type', name: 'public.vote', attributes: { kind: 'composite', attributes }, parent: 'schema public' }];
    const down = generateDown(snap(schema(), composite('who uuid, v character varying(3), n numeric(10,2)')), snap(schema(), composite('who uuid, v character varying(8), extra text')));
    assert.deepEqual(statements(down), ['ALTER TYPE public.vote DROP ATTRIBUTE extra, ALTER ATTRIBUTE v TYPE character varying(3), ADD ATTRIBUTE n numeric(10,2)']);
  });

  it('re-creates a dropped table empty (serial and identity columns, RLS, partition key), and lists the loss', () => {
    const before = snap(
      schema(),
      table('public.events', { 'row level security': 'enabled', 'partition key': 'RANGE (at)' }),
      column('public.events', 'id', 'bigint', { nullability: 'NOT NULL', identity: 'ALWAYS' }),
      column('public.events', 'at', 'date', { nullability: 'NOT NULL' }),
      ['sequence owned by public.events.id', {
        kind: 'sequence', name: 'public.events_id_seq', table: 'public.events',
        attributes: { 'data type': 'bigint', increment: '1', minimum: '1', maximum: '9223372036854775807', start: '1', cache: '1', cycle: 'NO CYCLE', 'owned by': 'public.events.id (identity)' },
        parent: 'column public.events.id',
      }],
      table('public.logs'),
      column('public.logs', 'n', 'integer', { nullability: 'NOT NULL', default: 'nextval(<owned sequence>)' }),
      ['sequence owned by public.logs.n', {
        kind: 'sequence', name: 'public.logs_n_seq', table: 'public.logs',
        attributes: { 'data type': 'integer', increment: '1', minimum: '1', maximum: '2147483647', start: '1', cache: '1', cycle: 'NO CYCLE', 'owned by': 'public.logs.n' },
        parent: 'column public.logs.n',
      }],
    );
    const down = generateDown(before, snap(schema()));
    assert.deepEqual(statements(down), [
      'CREATE SEQUENCE public.logs_n_seq AS integer INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1 NO CYCLE',
      'CREATE TABLE public.events (\n  id bigint NOT NULL GENERATED ALWAYS AS IDENTITY (INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1 NO CYCLE),\n  at date NOT NULL\n) PARTITION BY RANGE (at)',
      "CREATE TABLE public.logs (\n  n integer DEFAULT nextval('public.logs_n_seq'::regclass) NOT NULL\n)",
      'ALTER SEQUENCE public.logs_n_seq OWNED BY public.logs.n',
      'ALTER TABLE public.events ENABLE ROW LEVEL SECURITY',
    ]);
    // The partitioned parent holds no rows itself.
    assert.deepEqual(down.irreversible, ['table public.logs: the up dropped it with its rows; the down re-creates it empty']);
  });

  it('renames back a renamed table (guessed from identical columns): its index, constraints and FKs elsewhere follow, nothing dropped', () => {
    const before = snap(
      ...USERS,
      index('public.users', 'users_name_idx', 'CREATE INDEX ON public.users USING btree (name)'),
      table('public.orders'),
      column('public.orders', 'user_id', 'bigint'),
      constraint('public.orders', 'orders_user_id_fkey', 'foreign key', 'FOREIGN KEY (user_id) REFERENCES public.users(id)'),
    );
    const after = snap(
      schema(),
      table('public.accounts'),
      column('public.accounts', 'id', 'bigint', { nullability: 'NOT NULL' }),
      column('public.accounts', 'name', 'text', { nullability: 'NOT NULL' }),
      constraint('public.accounts', 'users_pkey', 'primary key', 'PRIMARY KEY (id)', { name: 'users_pkey' }),
      index('public.accounts', 'users_name_idx', 'CREATE INDEX ON public.accounts USING btree (name)', { name: 'users_name_idx' }),
      table('public.orders'),
      column('public.orders', 'user_id', 'bigint'),
      constraint('public.orders', 'orders_user_id_fkey', 'foreign key', 'FOREIGN KEY (user_id) REFERENCES public.accounts(id)'),
    );
    const down = generateDown(before, after);
    assert.deepEqual(statements(down), ['ALTER TABLE public.accounts RENAME TO users']);
    assert.deepEqual(down.renames, ['public.accounts → public.users']);
    assert.deepEqual(down.irreversible, []);
  });

  it('renames back a renamed column (guessed): its index and check are not dropped and re-created', () => {
    const before = snap(...USERS, index('public.users', 'users_name_idx', 'CREATE INDEX ON public.users USING btree (name)'), constraint('public.users', 'users_name_check', 'check', 'CHECK ((length(name) > 0))'));
    const after = snap(
      schema(),
      table('public.users'),
      column('public.users', 'id', 'bigint', { nullability: 'NOT NULL' }),
      column('public.users', 'full_name', 'text', { nullability: 'NOT NULL' }),
      constraint('public.users', 'users_pkey', 'primary key', 'PRIMARY KEY (id)'),
      index('public.users', 'users_name_idx', 'CREATE INDEX ON public.users USING btree (full_name)'),
      constraint('public.users', 'users_name_check', 'check', 'CHECK ((length(full_name) > 0))'),
    );
    const down = generateDown(before, after);
    assert.deepEqual(statements(down), ['ALTER TABLE public.users RENAME COLUMN full_name TO name']);
    assert.deepEqual(down.irreversible, []);
  });

  it("with the up's statements: a rename they make is followed through a chain; a drop + add they make is not taken for one", () => {
    const before = snap(...USERS);
    const renamed = snap(
      schema(),
      table('public.people'),
      column('public.people', 'id', 'bigint', { nullability: 'NOT NULL' }),
      column('public.people', 'label', 'text', { nullability: 'NOT NULL' }),
      constraint('public.people', 'users_pkey', 'primary key', 'PRIMARY KEY (id)', { name: 'users_pkey' }),
    );
    const hints = readUpHints('ALTER TABLE users RENAME COLUMN name TO full_name; ALTER TABLE users RENAME TO people; ALTER TABLE people RENAME full_name TO label;');
    assert.ok(hints);
    const down = generateDown(before, renamed, { hints });
    assert.deepEqual(statements(down), ['ALTER TABLE public.people RENAME TO users', 'ALTER TABLE public.users RENAME COLUMN label TO name']);

    // Same schemas, but the up dropped `name` and added `full_name`: the old values are gone, the down says so.
    const after = snap(schema(), table('public.users'), column('public.users', 'id', 'bigint', { nullability: 'NOT NULL' }), column('public.users', 'full_name', 'text', { nullability: 'NOT NULL' }), constraint('public.users', 'users_pkey', 'primary key', 'PRIMARY KEY (id)'));
    const dropAdd = generateDown(before, after, { hints: readUpHints("ALTER TABLE users DROP COLUMN name; ALTER TABLE users ADD COLUMN full_name text NOT NULL DEFAULT '';")! });
    assert.deepEqual(statements(dropAdd), ['ALTER TABLE public.users DROP COLUMN full_name', 'ALTER TABLE public.users ADD COLUMN name text']);
    assert.equal(dropAdd.irreversible.length, 1);
  });

  it('an enum value the up added: a commented type-swap recipe, no statement, listed as irreversible and as the one difference left', () => {
    const before = snap(schema(), ...enumType('public.mood', ['ok', 'sad']), table('public.users'), column('public.users', 'm', 'public.mood', { default: "'ok'::public.mood" }));
    const after = snap(schema(), ...enumType('public.mood', ['ok', 'sad', 'meh']), table('public.users'), column('public.users', 'm', 'public.mood', { default: "'ok'::public.mood" }));
    const down = generateDown(before, after);
    assert.deepEqual(statements(down), []);
    assert.deepEqual(down.residual, [{ change: 'extra', kind: 'enum-value', name: "public.mood 'meh'" }]);
    assert.match(down.irreversible[0], /^enum public\.mood: value 'meh' added by the up cannot be dropped/);
    assert.match(down.sql, /-- {3}ALTER TYPE public\.mood RENAME TO mood_old;\n-- {3}CREATE TYPE public\.mood AS ENUM \('ok', 'sad'\);\n-- {3}ALTER TABLE public\.users ALTER COLUMN m DROP DEFAULT;\n-- {3}ALTER TABLE public\.users ALTER COLUMN m TYPE public\.mood USING m::text::public\.mood;/);
    assert.ok(down.sql.split('\n').every((l) => l === '' || l.startsWith('--')), down.sql);
  });

  it('an enum value the up dropped (it rebuilt the type) is added back in place; one it renamed is renamed back', () => {
    const before = snap(schema(), ...enumType('public.mood', ['ok', 'meh', 'sad']));
    const dropped = generateDown(before, snap(schema(), ...enumType('public.mood', ['ok', 'sad'])));
    assert.deepEqual(statements(dropped), ["ALTER TYPE public.mood ADD VALUE 'meh' BEFORE 'sad'"]);
    assert.match(dropped.irreversible[0], /value 'meh' dropped by the up is added back/);
    const renamed = generateDown(before, snap(schema(), ...enumType('public.mood', ['ok', 'so-so', 'sad'])));
    assert.deepEqual(statements(renamed), ["ALTER TYPE public.mood RENAME VALUE 'so-so' TO 'meh'"]);
    assert.deepEqual(renamed.residual, []);
    assert.deepEqual(renamed.irreversible, []);
  });

  it('column changes reversed: a widened type narrowed back (flagged, no truncating cast), default, nullability, identity', () => {
    const before = snap(
      ...USERS,
      column('public.users', 'code', 'character varying(20)'),
      column('public.users', 'n', 'integer', { default: '0', nullability: 'NOT NULL' }),
      column('public.users', 'k', 'text'),
    );
    const after = snap(
      ...USERS,
      column('public.users', 'code', 'text'),
      column('public.users', 'n', 'bigint', { nullability: 'NOT NULL', identity: 'BY DEFAULT' }),
      column('public.users', 'k', 'integer', { default: '1' }),
    );
    const down = generateDown(before, after);
    assert.deepEqual(statements(down), [
      'ALTER TABLE public.users ALTER COLUMN code TYPE character varying(20)',
      'ALTER TABLE public.users ALTER COLUMN n DROP IDENTITY',
      'ALTER TABLE public.users ALTER COLUMN n TYPE integer',
      'ALTER TABLE public.users ALTER COLUMN n SET DEFAULT 0',
      'ALTER TABLE public.users ALTER COLUMN k DROP DEFAULT',
      'ALTER TABLE public.users ALTER COLUMN k TYPE text USING k::text',
    ]);
    assert.deepEqual(down.irreversible, [
      'column public.users.code: its type goes back from text to character varying(20), which fails on values written since that do not fit',
      'column public.users.n: its type goes back from bigint to integer, which fails on values written since that do not fit',
    ]);
    assert.match(down.sql, /-- The up changed the type of public\.users\.code from character varying\(20\) to text: changing it back fails/);
  });

  it('a function the up changed is restored from its before definition (exact text when read, else rebuilt)', () => {
    const before = snap(schema(), fn('public.touch()', 'BEGIN\nRETURN NEW;\nEND'));
    const after = snap(schema(), fn('public.touch()', 'BEGIN\nNEW.at := now();\nRETURN NEW;\nEND'));
    assert.deepEqual(statements(generateDown(before, after)), ['CREATE OR REPLACE FUNCTION public.touch()\nRETURNS trigger\nLANGUAGE plpgsql VOLATILE\nAS $$\nBEGIN\nRETURN NEW;\nEND\n$$']);
    const exact = 'CREATE OR REPLACE FUNCTION public.touch()\n RETURNS trigger\n LANGUAGE plpgsql\nAS $function$\nBEGIN\n  RETURN NEW;\nEND\n$function$\n';
    const down = generateDown(before, after, { definitions: { functions: new Map([['public.touch()', exact]]), views: new Map() } });
    assert.deepEqual(statements(down), [exact.trimEnd()]);
    // A body holding $$ gets another tag; a changed return type needs DROP first.
    const dollars = snap(schema(), fn('public.f()', "SELECT '$$'", { language: 'sql', returns: 'text' }));
    const changed = snap(schema(), fn('public.f()', 'SELECT 1', { language: 'sql', returns: 'integer' }));
    assert.deepEqual(statements(generateDown(dollars, changed)), ['DROP FUNCTION public.f()', "CREATE FUNCTION public.f()\nRETURNS text\nLANGUAGE sql VOLATILE\nAS $body$\nSELECT '$$'\n$body$"]);
  });

  it('views: created ones dropped (dependents first), a changed one dropped and re-created, and views over a column whose type goes back', () => {
    const before = snap(...USERS, view('public.names', 'SELECT users.name FROM public.users;'));
    const after = snap(
      ...USERS,
      view('public.names', 'SELECT users.name, users.id FROM public.users;'),
      view('public.v1', 'SELECT users.id FROM public.users;'),
      view('public.v2', 'SELECT v1.id FROM public.v1;'),
    );
    assert.deepEqual(statements(generateDown(before, after)), [
      'DROP VIEW public.v2',
      'DROP VIEW public.v1',
      'DROP VIEW public.names',
      'CREATE VIEW public.names AS SELECT users.name FROM public.users',
    ]);
    const typed = snap(...USERS.filter((e) => e[0] !== 'column public.users.name'), column('public.users', 'name', 'character varying(50)', { nullability: 'NOT NULL' }), view('public.names', 'SELECT users.name FROM public.users;'));
    assert.deepEqual(statements(generateDown(before, typed)), [
      'DROP VIEW public.names',
      'ALTER TABLE public.users ALTER COLUMN name TYPE text',
      'CREATE VIEW public.names AS SELECT users.name FROM public.users',
    ]);
  });

  it('triggers and policies: dropped when created, re-created (with state) when dropped', () => {
    const trg = trigger('public.users', 'users_touch', 'CREATE TRIGGER users_touch BEFORE INSERT ON public.users FOR EACH ROW EXECUTE FUNCTION public.touch()');
    const pol = policy('public.users', 'own', { command: 'SELECT', using: '(id = 1)' });
    const base = [...USERS, fn('public.touch()', 'BEGIN\nRETURN NEW;\nEND')];
    assert.deepEqual(statements(generateDown(snap(...base), snap(...base, trg, pol))), ['DROP TRIGGER users_touch ON public.users', 'DROP POLICY own ON public.users']);
    const disabled: Entry = [trg[0], { ...trg[1], attributes: { ...trg[1].attributes, enabled: 'disabled' } }];
    assert.deepEqual(statements(generateDown(snap(...base, disabled, pol), snap(...base))), [
      'CREATE TRIGGER users_touch BEFORE INSERT ON public.users FOR EACH ROW EXECUTE FUNCTION public.touch()',
      'ALTER TABLE public.users DISABLE TRIGGER users_touch',
      'CREATE POLICY own ON public.users AS PERMISSIVE FOR SELECT TO public USING ((id = 1))',
    ]);
  });

  it('quotes identifiers as the catalog does: a mixed-case table and column, a reserved word', () => {
    const before = snap(schema(), table('public."Order Items"'), column('public."Order Items"', '"Qty"', 'integer'));
    const after = snap(schema(), table('public."Order Items"'), column('public."Order Items"', '"Qty"', 'integer'), column('public."Order Items"', '"select"', 'text'), index('public."Order Items"', '"Qty Idx"', 'CREATE INDEX ON public."Order Items" USING btree ("Qty")', { name: '"Qty Idx"' }));
    assert.deepEqual(statements(generateDown(before, after)), ['DROP INDEX public."Qty Idx"', 'ALTER TABLE public."Order Items" DROP COLUMN "select"']);
    const renamed = snap(schema(), table('public."Order Items"'), column('public."Order Items"', '"Quantity"', 'integer'));
    assert.deepEqual(statements(generateDown(before, renamed)), ['ALTER TABLE public."Order Items" RENAME COLUMN "Quantity" TO "Qty"']);
  });

  it('grants: what the up granted is revoked, what it revoked granted again; the owner entry left alone', () => {
    const grant = (privs: Record<string, string>): Entry => ['grant public.users', { kind: 'grant', name: 'public.users', table: 'public.users', attributes: privs, parent: 'table public.users' }];
    const owner = { postgres: 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER' };
    assert.deepEqual(statements(generateDown(snap(...USERS), snap(...USERS, grant({ ...owner, reader: 'SELECT' })))), ['REVOKE ALL ON public.users FROM reader']);
    assert.deepEqual(statements(generateDown(snap(...USERS, grant({ ...owner, reader: 'SELECT, UPDATE WITH GRANT OPTION' })), snap(...USERS))), [
      'GRANT SELECT ON public.users TO reader',
      'GRANT UPDATE ON public.users TO reader WITH GRANT OPTION',
    ]);
  });

  it('row changes of the up on tables that existed are listed, not undone', () => {
    const hints = readUpHints("UPDATE users SET name = upper(name); INSERT INTO audit VALUES (1);")!;
    const down = generateDown(snap(...USERS), snap(...USERS), { hints });
    assert.deepEqual(down.irreversible, ['the up updates rows of public.users; the down does not undo row changes']);
    assert.equal(down.dataChanges, true);
    assert.deepEqual(statements(down), []);
  });

  it('an up that changes nothing gets a down that says so', () => {
    const down = generateDown(snap(...USERS), snap(...USERS));
    assert.equal(down.sql, '-- The up changes nothing in the schema: there is nothing to reverse.\n');
  });

  it('what pglens cannot write is a commented block and a line in irreversible, never left out', () => {
    const before = snap(schema(), ['function public.total(integer)', { kind: 'function', name: 'public.total(integer)', attributes: { kind: 'aggregate', arguments: 'integer', returns: 'integer', language: 'internal', body: 'aggregate_dummy' }, parent: 'schema public' }]);
    const down = generateDown(before, snap(schema()));
    assert.deepEqual(statements(down), []);
    assert.match(down.sql, /^-- aggregate public\.total\(integer\): pglens cannot re-create an aggregate from the catalog\. Write this part of the down by hand\./);
    assert.equal(down.irreversible.length, 1);
  });

  it('widens: which type changes cannot fail', () => {
    assert.ok(widens('character varying(20)', 'text'));
    assert.ok(widens('character varying(20)', 'character varying(30)'));
    assert.ok(!widens('character varying(30)', 'character varying(20)'));
    assert.ok(widens('integer', 'bigint'));
    assert.ok(!widens('bigint', 'integer'));
    assert.ok(widens('numeric(10,2)', 'numeric(12,2)'));
    assert.ok(!widens('text', 'integer'));
  });

  it('judgeGeneratedDown: passes a verified down, and differences or a failing up again only when the down declared them', () => {
    const residual = { residual: [{ change: 'extra' as const, kind: 'enum-value' as const, name: "public.mood 'meh'" }], dataChanges: false };
    const meh = { change: 'extra' as const, kind: 'enum-value' as const, name: "public.mood 'meh'" };
    const idx = { change: 'extra' as const, kind: 'index' as const, name: 'i' };
    assert.equal(judgeGeneratedDown({ residual: [], dataChanges: false }, { kind: 'verified' }).ok, true);
    assert.equal(judgeGeneratedDown(residual, { kind: 'reapply-fails', differences: [meh], failure: { message: 'enum label "meh" already exists' } }).ok, true);
    assert.equal(judgeGeneratedDown(residual, { kind: 'incomplete', differences: [meh, idx] }).ok, false);
    assert.equal(judgeGeneratedDown({ residual: [], dataChanges: true }, { kind: 'reapply-fails', differences: [], failure: { message: 'dup', code: '23505' } }).ok, true);
    assert.equal(judgeGeneratedDown({ residual: [], dataChanges: false }, { kind: 'down-fails', failure: { message: 'x' } }).ok, false);
  });
});

describe('writeDown: the down in the runner\'s own place and format', () => {
  const down = generateDown(snap(...USERS), snap(...USERS, fn('public.touch()', 'BEGIN\nRETURN NEW;\nEND'), column('public.users', 'email', 'text')));
  const part = (file: string, text: string, offset = 0) => ({ file, text, offset, line: 0, character: 0 });
  const place = (runner: RunnerId, files: Record<string, string>, up: Migration['up'], id = 'm1') => {
    const migration: Migration = { id, up, transaction: 'per-migration' };
    const set: MigrationSet = { runner, folder: 'db', migrations: [migration] };
    const p = writeDown(set, migration, down, { read: (f) => files[f], header: ['generated'] });
    return { p, texts: applyEdits(p.edits, (f) => files[f]) };
  };

  it('goose: a Down section appended, the function between StatementBegin/End; sql-migrate alike', () => {
    const text = '-- +goose Up\nALTER TABLE users ADD COLUMN email text;\n';
    const { p, texts } = place('goose', { 'db/1_x.sql': text }, part('db/1_x.sql', 'ALTER TABLE users ADD COLUMN email text;\n', 13));
    assert.equal(
      texts.get('db/1_x.sql'),
      `${text}\n-- +goose Down\n-- generated\nALTER TABLE public.users DROP COLUMN email;\nDROP FUNCTION public.touch();\n`,
    );
    assert.match(p.where, /-- \+goose Down/);
    const withBody = generateDown(snap(...USERS, fn('public.touch()', 'BEGIN\nRETURN NEW;\nEND')), snap(...USERS, fn('public.touch()', 'BEGIN\nRETURN NULL;\nEND')));
    const m: Migration = { id: '1_x', up: part('db/1_x.sql', 'x;\n', 13), transaction: 'per-migration' };
    const goose = writeDown({ runner: 'goose', folder: 'db', migrations: [m] }, m, withBody, { read: () => '-- +goose Up\nx;\n' });
    assert.match(goose.text, /-- \+goose StatementBegin\nCREATE OR REPLACE FUNCTION public\.touch\(\)[\s\S]*\$\$;\n-- \+goose StatementEnd/);
    const sqlMigrate = writeDown({ runner: 'sql-migrate', folder: 'db', migrations: [m] }, m, withBody, { read: () => '-- +migrate Up\nx;\n' });
    assert.match(sqlMigrate.text, /^-- \+migrate Down\n-- \+migrate StatementBegin\n/);
  });

  it('dbmate: a migrate:down section right after the up (before a next section), CRLF kept', () => {
    const text = '-- migrate:up\r\nALTER TABLE users ADD COLUMN email text;\r\n\r\n-- migrate:up\r\nSELECT 1;\r\n';
    const end = text.indexOf('-- migrate:up', 5);
    const { texts } = place('dbmate', { 'db/1_x.sql': text }, part('db/1_x.sql', text.slice(15, end), 15));
    assert.equal(texts.get('db/1_x.sql'), '-- migrate:up\r\nALTER TABLE users ADD COLUMN email text;\r\n\r\n-- migrate:down\r\nALTER TABLE public.users DROP COLUMN email;\r\nDROP FUNCTION public.touch();\r\n\r\n-- migrate:up\r\nSELECT 1;\r\n'.replace('-- migrate:down\r\n', '-- migrate:down\r\n-- generated\r\n'));
  });

  it('golang-migrate, popx, diesel, Flyway, sqitch: a file beside the up; one that exists is not overwritten', () => {
    assert.deepEqual([...place('golang-migrate', {}, part('db/0001_users.up.sql', '')).texts.keys()], ['db/0001_users.down.sql']);
    assert.deepEqual([...place('popx', {}, part('db/0001_users.postgres.up.sql', '')).texts.keys()], ['db/0001_users.postgres.down.sql']);
    assert.deepEqual([...place('diesel', {}, part('db/2024-01-01-000000_users/up.sql', '')).texts.keys()], ['db/2024-01-01-000000_users/down.sql']);
    const flyway = place('flyway', {}, part('db/V2__add_email.sql', ''));
    assert.deepEqual([...flyway.texts.keys()], ['db/U2__add_email.sql']);
    assert.match(flyway.p.note ?? '', /Flyway Teams/);
    const sqitch = place('sqitch', {}, part('db/deploy/users.sql', ''), 'users');
    assert.deepEqual([...sqitch.texts.keys()], ['db/revert/users.sql']);
    assert.match(sqitch.texts.get('db/revert/users.sql')!, /^-- Revert users from pg\n-- generated\n\nBEGIN;\n\nALTER TABLE public\.users DROP COLUMN email;\nDROP FUNCTION public\.touch\(\);\n\nCOMMIT;\n$/);
    assert.throws(() => place('golang-migrate', { 'db/0001_users.down.sql': '' }, part('db/0001_users.up.sql', '')), /exists already/);
  });

  it('Liquibase formatted SQL: --rollback lines at the end of the changeset', () => {
    const text = '--liquibase formatted sql\n\n--changeset me:1\nALTER TABLE users ADD COLUMN email text;\n\n--changeset me:2\nSELECT 1;\n';
    const start = text.indexOf('ALTER');
    const { texts } = place('liquibase', { 'db/changes.sql': text }, part('db/changes.sql', text.slice(start, text.indexOf('--changeset me:2')), start), 'me:1');
    assert.equal(texts.get('db/changes.sql'), text.replace('text;\n', 'text;\n--rollback -- generated\n--rollback ALTER TABLE public.users DROP COLUMN email;\n--rollback DROP FUNCTION public.touch();\n'));
  });

  it('Prisma: a down.sql beside migration.sql with how to run it; drizzle and plain: nothing written, said so', () => {
    const prisma = place('prisma', {}, part('db/20240101_init/migration.sql', ''), '20240101_init');
    assert.deepEqual([...prisma.texts.keys()], ['db/20240101_init/down.sql']);
    assert.match(prisma.p.note ?? '', /prisma db execute --file db\/20240101_init\/down\.sql.*prisma migrate resolve --rolled-back 20240101_init/);
    for (const runner of ['drizzle-kit', 'plain'] as RunnerId[]) {
      const { p } = place(runner, {}, part('db/0001.sql', ''));
      assert.deepEqual(p.edits, []);
      assert.match(p.note ?? '', /no down migrations/);
      assert.match(p.text, /DROP COLUMN email/);
    }
  });

  it('names in `where` the file it writes and the up beside it, each with its own folder (as `show` gives paths)', () => {
    const show = (f: string) => `proj/${f}`;
    const at = (runner: RunnerId, up: string, id = 'm1') => {
      const migration: Migration = { id, up: part(up, ''), transaction: 'per-migration' };
      return writeDown({ runner, folder: 'db', migrations: [migration] }, migration, down, { read: () => undefined, show });
    };
    assert.equal(at('diesel', 'db/2024-01-01-000000_users/up.sql').where, 'a new file proj/db/2024-01-01-000000_users/down.sql beside proj/db/2024-01-01-000000_users/up.sql');
    const prisma = at('prisma', 'db/20240101_init/migration.sql', '20240101_init');
    assert.equal(prisma.where, 'a new file proj/db/20240101_init/down.sql beside proj/db/20240101_init/migration.sql');
    assert.match(prisma.note ?? '', /--file proj\/db\/20240101_init\/down\.sql/);
    assert.equal(at('flyway', 'db/v1/V2__add_email.sql').where, 'the undo script proj/db/v1/U2__add_email.sql beside proj/db/v1/V2__add_email.sql');
    assert.equal(at('golang-migrate', 'db/0001_users.up.sql').where, 'a new file proj/db/0001_users.down.sql beside proj/db/0001_users.up.sql');
  });

  it('refuses a migration that has a down; applyEdits refuses a file changed since', () => {
    const m: Migration = { id: 'x', up: part('db/1.up.sql', ''), down: part('db/1.down.sql', ''), transaction: 'per-migration' };
    assert.throws(() => writeDown({ runner: 'golang-migrate', folder: 'db', migrations: [m] }, m, down, { read: () => undefined }), /already has a down/);
    assert.throws(() => applyEdits([{ kind: 'insert', file: 'a.sql', offset: 3, length: 3, text: 'x' }], () => 'abcd'), /changed since/);
  });
});
