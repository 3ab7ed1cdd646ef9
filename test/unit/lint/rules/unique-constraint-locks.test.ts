import { rule } from '../../../../src/core/lint/rules/unique-constraint-locks';
import { runRuleTests } from '../rule-tester';

const setup = 'CREATE TABLE users (id bigint, email text);';

runRuleTests(rule, {
  valid: [
    { setup, code: 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx;' },
    { setup, code: 'ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_id_idx;' },
    { name: 'table created in the same file', code: 'CREATE TABLE t (a int);\nALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE (a);' },
  ],
  invalid: [
    {
      setup,
      code: 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);',
      errors: [{ message: 'ACCESS EXCLUSIVE', line: 1, column: 23, endColumn: 64 }],
      output:
        'CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);\n' +
        'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;',
    },
    {
      setup,
      code: 'ALTER TABLE users ADD PRIMARY KEY (id);',
      errors: [{ message: 'PRIMARY KEY' }],
      output: 'CREATE UNIQUE INDEX CONCURRENTLY users_pkey ON users (id);\nALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_pkey;',
    },
    {
      name: 'the fix keeps NULLS NOT DISTINCT and DEFERRABLE',
      setup,
      code: 'ALTER TABLE users ADD CONSTRAINT u UNIQUE NULLS NOT DISTINCT (email) DEFERRABLE INITIALLY DEFERRED;',
      errors: [{}],
      output:
        'CREATE UNIQUE INDEX CONCURRENTLY u ON users (email) NULLS NOT DISTINCT;\n' +
        'ALTER TABLE users ADD CONSTRAINT u UNIQUE USING INDEX u DEFERRABLE INITIALLY DEFERRED;',
    },
    { name: 'no fix that would drop WITH (…)', setup, code: 'ALTER TABLE users ADD CONSTRAINT u UNIQUE (email) WITH (fillfactor = 70);', errors: [{}], output: null },
    { name: 'no fix that would drop the tablespace', setup, code: 'ALTER TABLE users ADD CONSTRAINT u UNIQUE (email) USING INDEX TABLESPACE fast;', errors: [{}], output: null },
    {
      name: 'partitioned table: no fix (no CONCURRENTLY, no USING INDEX there)',
      setup: 'CREATE TABLE events (id bigint, at timestamptz) PARTITION BY RANGE (at);',
      code: 'ALTER TABLE events ADD PRIMARY KEY (id, at);',
      errors: [{ message: 'PRIMARY KEY' }],
      output: null,
    },
    { name: 'no fix inside a transaction', setup, inTransaction: true, code: 'ALTER TABLE users ADD UNIQUE (email);', errors: [{}], output: null },
    {
      name: 'a comment before the ";" and a CRLF file',
      setup,
      code: 'ALTER TABLE users ADD PRIMARY KEY (id) -- finally\r\n;\r\nSELECT 1;\r\n',
      errors: [{ message: 'PRIMARY KEY' }],
      output: 'CREATE UNIQUE INDEX CONCURRENTLY users_pkey ON users (id);\r\nALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_pkey;\r\nSELECT 1;\r\n',
    },
  ],
});
