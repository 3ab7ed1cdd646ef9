import { rule } from '../../../../src/core/lint/rules/changing-column-type';
import { runRuleTests } from '../rule-tester';

const setup = 'CREATE TABLE users (id integer PRIMARY KEY, name varchar(50), bio text, tags varchar(10)[], ext_id uuid, net cidr, email citext, created timestamp, seen timestamptz(3), code char(10), at time(3));';
const indexed = `${setup}\nCREATE INDEX users_name_idx ON users (name);\nCREATE INDEX users_email_idx ON users (email);\nCREATE INDEX users_created_idx ON users (created, id);\nCREATE INDEX users_id_incl ON users (id) INCLUDE (email, created);`;

runRuleTests(rule, {
  valid: [
    { setup, code: 'ALTER TABLE users ALTER COLUMN name TYPE varchar(100);' },
    { setup, code: 'ALTER TABLE users ALTER COLUMN name TYPE text;' },
    { setup, code: 'ALTER TABLE users ALTER COLUMN name TYPE character varying;' },
    { setup, code: 'ALTER TABLE users ALTER COLUMN bio TYPE varchar;' },
    { name: 'numeric precision widened, same scale', setup: 'CREATE TABLE p (price numeric(10,2), qty numeric(8));', code: 'ALTER TABLE p ALTER COLUMN price TYPE decimal(12,2), ALTER COLUMN qty TYPE numeric(12);' },
    { name: 'numeric to unconstrained numeric', setup: 'CREATE TABLE p (price numeric(10,2));', code: 'ALTER TABLE p ALTER COLUMN price TYPE numeric;' },
    { name: 'table created in the same file', code: 'CREATE TABLE t (a int);\nALTER TABLE t ALTER COLUMN a TYPE bigint;' },
    // Verified on Postgres 15: neither the table's nor any index's relfilenode changes.
    { name: 'the same type again', setup, code: 'ALTER TABLE users ALTER COLUMN ext_id TYPE uuid;' },
    { name: 'the same type spelled differently, on the primary key', setup: indexed, code: 'ALTER TABLE users ALTER COLUMN id TYPE int4;' },
    { name: 'the same type and length', setup, code: 'ALTER TABLE users ALTER COLUMN code TYPE character(10), ALTER COLUMN name TYPE varchar(50);' },
    { name: 'cidr to inet', setup, code: 'ALTER TABLE users ALTER COLUMN net TYPE inet;' },
    { name: 'a varchar array loses its length limit', setup, code: 'ALTER TABLE users ALTER COLUMN tags TYPE varchar[];' },
    { name: 'timestamp and time precision widened', setup, code: 'ALTER TABLE users ALTER COLUMN seen TYPE timestamptz(6), ALTER COLUMN at TYPE time;' },
    { name: 'a plain index on a widened varchar is kept', setup: indexed, code: 'ALTER TABLE users ALTER COLUMN name TYPE varchar(200);' },
    { name: 'citext to text with no index on the column', setup, code: 'ALTER TABLE users ALTER COLUMN email TYPE text;' },
    { name: 'an INCLUDE column does not make Postgres rebuild the index', setup: `${setup}\nCREATE INDEX users_id_incl ON users (id) INCLUDE (email);`, code: 'ALTER TABLE users ALTER COLUMN email TYPE text;' },
    { name: 'timestamp to timestamptz with TimeZone UTC and no index on the column', setup, code: "SET TIME ZONE 'UTC';\nALTER TABLE users ALTER COLUMN created TYPE timestamptz;" },
    { name: 'timestamptz to timestamp with an Etc/UTC alias', setup, code: "SET timezone TO 'Etc/UTC';\nALTER TABLE users ALTER COLUMN seen TYPE timestamp;" },
    // USING the column itself, cast to binary-coercible types: checked on Postgres 15, no relfilenode changes.
    { name: 'varchar(n) to unbounded varchar USING col::varchar (sql-migrate/convoy)', setup, code: 'ALTER TABLE users\n    ALTER COLUMN name TYPE VARCHAR USING name::VARCHAR;' },
    { name: 'USING the bare column', setup, code: 'ALTER TABLE users ALTER COLUMN name TYPE text USING name;' },
    { name: 'USING a cast to another binary-coercible type, qualified or parenthesised', setup, code: 'ALTER TABLE users ALTER COLUMN name TYPE varchar USING users.name::text, ALTER COLUMN bio TYPE varchar USING (bio)::varchar;' },
    { name: 'USING CAST to a wider varchar', setup, code: 'ALTER TABLE users ALTER COLUMN name TYPE varchar(100) USING CAST(name AS varchar(100));' },
    { name: 'USING a cast, timestamp to timestamptz with TimeZone UTC', setup, code: "SET TIME ZONE 'UTC';\nALTER TABLE users ALTER COLUMN created TYPE timestamptz USING created::timestamptz;" },
  ],
  invalid: [
    { setup, code: 'ALTER TABLE users ALTER COLUMN id TYPE bigint;', errors: [{ message: 'from integer to bigint rewrites all of users and rebuilds all its indexes', line: 1, column: 19, endColumn: 46 }] },
    { setup, code: 'ALTER TABLE users ALTER COLUMN name TYPE varchar(20);', errors: [{ message: 'name' }] },
    { setup, code: 'ALTER TABLE users ALTER COLUMN bio TYPE varchar(20);', errors: [{}] },
    { setup, code: 'ALTER TABLE users ALTER COLUMN name TYPE text USING trim(name);', errors: [{}] },
    { name: 'USING a cast that shortens on the way', setup, code: 'ALTER TABLE users ALTER COLUMN name TYPE varchar USING name::varchar(5)::varchar;', errors: [{ message: 'rewrites all of users' }] },
    { name: 'USING another column', setup, code: 'ALTER TABLE users ALTER COLUMN name TYPE text USING bio;', errors: [{ message: 'rewrites all of users' }] },
    { name: 'USING a cast to a type that rewrites', setup, code: 'ALTER TABLE users ALTER COLUMN bio TYPE varchar(100) USING bio::varchar(100);', errors: [{ message: 'from text to varchar(100) rewrites all of users' }] },
    {
      name: 'USING a cast, timestamp to timestamptz, TimeZone unknown',
      setup,
      code: 'ALTER TABLE users ALTER COLUMN created TYPE timestamptz USING created::timestamptz;',
      errors: [{ message: 'rewrites all of users and rebuilds all its indexes under an ACCESS EXCLUSIVE lock unless the session TimeZone is UTC' }],
    },
    { name: 'numeric scale changed', setup: 'CREATE TABLE p (price numeric(10,2));', code: 'ALTER TABLE p ALTER COLUMN price TYPE numeric(14,4);', errors: [{}] },
    { name: 'numeric precision narrowed', setup: 'CREATE TABLE p (price numeric(10,2));', code: 'ALTER TABLE p ALTER COLUMN price TYPE numeric(8,2);', errors: [{}] },
    { name: 'unconstrained numeric constrained', setup: 'CREATE TABLE p (price numeric);', code: 'ALTER TABLE p ALTER COLUMN price TYPE numeric(12,2);', errors: [{}] },
    { name: 'column unknown to the migrations', code: 'ALTER TABLE legacy ALTER COLUMN a TYPE text;', errors: [{ message: 'rewrites all of legacy and rebuilds its indexes' }] },
    { name: 'a varchar array widened: the elements are coerced one by one', setup, code: 'ALTER TABLE users ALTER COLUMN tags TYPE varchar(20)[];', errors: [{ message: 'rewrites all of users' }] },
    { name: 'varchar array to text array', setup, code: 'ALTER TABLE users ALTER COLUMN tags TYPE text[];', errors: [{ message: 'rewrites all of users' }] },
    { name: 'inet to cidr', setup: 'CREATE TABLE h (addr inet);', code: 'ALTER TABLE h ALTER COLUMN addr TYPE cidr;', errors: [{ message: 'rewrites all of h' }] },
    { name: 'char grown', setup, code: 'ALTER TABLE users ALTER COLUMN code TYPE char(20);', errors: [{ message: 'rewrites all of users' }] },
    { name: 'timestamp precision narrowed', setup, code: 'ALTER TABLE users ALTER COLUMN seen TYPE timestamptz(0);', errors: [{ message: 'rewrites all of users' }] },
    {
      name: 'citext to text: the table stays, the indexes on the column are rebuilt',
      setup: indexed,
      code: 'ALTER TABLE users ALTER COLUMN email TYPE text;',
      errors: [{ message: /^Changing the type of email from citext to text does not rewrite users, but rebuilds its index users_email_idx under an ACCESS EXCLUSIVE lock/ }],
    },
    {
      name: 'an expression index on the column is rebuilt even when the change is free',
      setup: `${setup}\nCREATE INDEX users_lower_name ON users (lower(name));\nCREATE INDEX users_named ON users (id) WHERE name IS NOT NULL;\nCREATE INDEX users_name_idx ON users (name);`,
      code: 'ALTER TABLE users ALTER COLUMN name TYPE varchar(80);',
      errors: [{ message: 'does not rewrite users, but rebuilds its indexes users_lower_name, users_named under an ACCESS EXCLUSIVE lock' }],
    },
    {
      name: 'a new collation rebuilds the indexes on the column',
      setup: indexed,
      code: 'ALTER TABLE users ALTER COLUMN name TYPE text COLLATE "C";',
      errors: [{ message: 'does not rewrite users, but rebuilds its index users_name_idx' }],
    },
    {
      name: 'timestamp to timestamptz, TimeZone unknown',
      setup: indexed,
      code: 'ALTER TABLE users ALTER COLUMN created TYPE timestamptz;',
      errors: [
        {
          message:
            "Changing the type of created from timestamp to timestamptz rewrites all of users and rebuilds all its indexes under an ACCESS EXCLUSIVE lock unless the session TimeZone is UTC; with TimeZone UTC the table is not rewritten, but its index users_created_idx is rebuilt",
        },
      ],
    },
    {
      name: 'timestamp to timestamptz with TimeZone UTC: only the indexes on the column',
      setup: indexed,
      code: "SET TIME ZONE 'UTC';\nALTER TABLE users ALTER COLUMN created TYPE timestamptz;",
      errors: [{ message: /^Changing the type of created from timestamp to timestamptz does not rewrite users \(the session TimeZone is UTC\), but rebuilds its index users_created_idx /, line: 2 }],
    },
    {
      name: 'timestamp to timestamptz with another TimeZone',
      setup,
      code: "SET TIME ZONE 'Europe/Paris';\nALTER TABLE users ALTER COLUMN created TYPE timestamptz;",
      errors: [{ message: "rewrites all of users and rebuilds all its indexes under an ACCESS EXCLUSIVE lock: the session TimeZone is 'Europe/Paris', not UTC" }],
    },
    {
      name: 'SET LOCAL TimeZone ends with its transaction',
      setup,
      code: "BEGIN;\nSET LOCAL TIME ZONE 'UTC';\nCOMMIT;\nALTER TABLE users ALTER COLUMN created TYPE timestamptz;",
      errors: [{ message: 'unless the session TimeZone is UTC', line: 4 }],
    },
    { name: 'timestamp to timestamptz with a smaller precision', setup, code: "SET TIME ZONE 'UTC';\nALTER TABLE users ALTER COLUMN created TYPE timestamptz(3);", errors: [{ message: 'rewrites all of users' }] },
    { name: 'before Postgres 12 timestamp to timestamptz always rewrites', setup, postgresVersion: 11, code: "SET TIME ZONE 'UTC';\nALTER TABLE users ALTER COLUMN created TYPE timestamptz;", errors: [{ message: 'rewrites all of users' }] },
  ],
});
