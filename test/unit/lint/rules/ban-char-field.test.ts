import { rule } from '../../../../src/core/lint/rules/ban-char-field';
import { runRuleTests } from '../rule-tester';

const UUID_CHECK = "'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'";

runRuleTests(rule, {
  valid: [
    'CREATE TABLE t (code varchar(2), name text);',
    'CREATE TABLE t (flag "char");',
    'CREATE TABLE t (a character varying(10), b char varying(3));',
    "SELECT 'a'::char(3);",
    // Fixed-length identifiers fill their width: char(n) pads nothing.
    { name: 'a primary key column', code: 'CREATE TABLE countries (iso char(2) PRIMARY KEY, name text);' },
    { name: 'a table-level primary key and a unique key', code: 'CREATE TABLE t (a char(3), b char(5), label text, PRIMARY KEY (a), UNIQUE (b));' },
    { name: 'a unique column', code: 'CREATE TABLE t (id bigint PRIMARY KEY, label char(3) UNIQUE);' },
    {
      name: 'a foreign key column',
      setup: 'CREATE TABLE countries (iso char(2) PRIMARY KEY);',
      code: 'CREATE TABLE cities (id bigint PRIMARY KEY, country char(2) REFERENCES countries (iso), name text);',
    },
    {
      name: 'a table-level foreign key, and a column a later statement makes a key and references',
      code:
        'CREATE TABLE parts (ref char(8) NOT NULL, name text);\n' +
        'ALTER TABLE parts ADD CONSTRAINT parts_ref_key UNIQUE (ref);\n' +
        'CREATE TABLE orders (id bigint PRIMARY KEY, part char(8), FOREIGN KEY (part) REFERENCES parts (ref));',
    },
    {
      name: 'a column that a later foreign key references',
      code: 'CREATE TABLE parts (ref char(8) NOT NULL);\nCREATE TABLE orders (part char(8) NOT NULL);\nALTER TABLE orders ADD FOREIGN KEY (part) REFERENCES parts (ref);',
    },
    {
      name: 'ALTER TYPE of an existing key column and of an existing foreign key column',
      setup: 'CREATE TABLE parts (ref varchar(8) PRIMARY KEY);\nCREATE TABLE orders (part varchar(8) REFERENCES parts);',
      code: 'ALTER TABLE parts ALTER COLUMN ref TYPE char(8);\nALTER TABLE orders ALTER COLUMN part TYPE char(8);',
    },
    {
      name: 'ADD COLUMN of a column that a later foreign key of another table references',
      setup: 'CREATE TABLE parts (id bigint PRIMARY KEY);\nCREATE TABLE orders (part_ref text);',
      code: 'ALTER TABLE parts ADD COLUMN ref char(8);\nALTER TABLE orders ADD FOREIGN KEY (part_ref) REFERENCES parts (ref);',
    },
    {
      name: 'names that say identifier or digest, as a word or a suffix',
      code:
        'CREATE TABLE t (id char(10), user_id char(10), "orgId" char(10), api_key char(20), "tokenHash" char(12), sha1 char(12), ' +
        'checksum_sha256 char(12), country_code char(2), session_token char(24), orguuid char(12), payload_digest char(12), ' +
        'line_ids char(10), file_hashes char(10), request_guid char(12), ulid char(12), apikey char(10), zipcode char(5));',
    },
    { name: 'ULID, hex, UUID, sha1 and sha256 widths', code: 'CREATE TABLE t (a char(26), b char(32), c char(36), d char(40), e char(64), f character(26));' },
    {
      name: 'prefer-uuid-type reports the column instead',
      code: `CREATE TABLE t (ref char(50) DEFAULT gen_random_uuid()::text, other char(50) CHECK (other ~ ${UUID_CHECK}));`,
    },
  ],
  invalid: [
    {
      code: 'CREATE TABLE people (id bigint PRIMARY KEY, name char(50));',
      errors: [{ message: /"name" is char\(50\): every value is blank-padded to 50 characters/, line: 1, column: 45, endColumn: 58 }],
      output: 'CREATE TABLE people (id bigint PRIMARY KEY, name varchar(50));',
    },
    {
      name: 'character(n) and bare char (which is char(1))',
      code: 'CREATE TABLE t (a CHARACTER(10), b char);',
      errors: [{ message: '"a" is char(10)', column: 17 }, { message: '"b" is char(1)', column: 34 }],
      output: 'CREATE TABLE t (a varchar(10), b varchar(1));',
    },
    {
      name: 'ADD COLUMN on an existing table',
      setup: 'CREATE TABLE t (id bigint);',
      code: 'ALTER TABLE t ADD COLUMN status bpchar(1) NOT NULL DEFAULT \'a\';',
      errors: [{ message: '"status" is char(1)', column: 26 }],
      output: 'ALTER TABLE t ADD COLUMN status varchar(1) NOT NULL DEFAULT \'a\';',
    },
    {
      name: 'a text column next to a key; names that only end in the letters of id',
      code: 'CREATE TABLE t (iso char(2) PRIMARY KEY, label char(2), valid char(1), paid char(1));',
      errors: [{ message: '"label" is char(2)' }, { message: '"valid" is char(1)' }, { message: '"paid" is char(1)' }],
    },
    {
      name: 'a foreign key on a same-named column of another table does not count',
      code: 'CREATE TABLE a (note char(20));\nCREATE TABLE b (note char(20) REFERENCES c (note));',
      errors: [{ message: '"note" is char(20)', line: 1 }],
    },
    {
      name: 'a text column prefer-uuid-type does not report',
      code: "CREATE TABLE t (ref char(50) DEFAULT 'none');",
      errors: [{ message: '"ref" is char(50)' }],
    },
  ],
});
