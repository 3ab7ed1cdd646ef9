import { rule } from '../../../../src/core/lint/rules/prefer-repack';
import { runRuleTests } from '../rule-tester';

runRuleTests(rule, {
  valid: [
    'VACUUM users;',
    'VACUUM (ANALYZE) users;',
    'ANALYZE users;',
    { name: 'table created in the same file', code: 'CREATE TABLE t (a int);\nVACUUM FULL t;' },
    // Verified on Postgres 15: the table's relfilenode stays, as for a plain VACUUM.
    'VACUUM (FULL false) users;',
    'VACUUM (FULL off, ANALYZE) users;',
    'VACUUM (FULL 0) users;',
    "VACUUM (FULL 'OFF') users;",
    { name: 'the last FULL option wins', code: 'VACUUM (FULL, FULL false) users;' },
  ],
  invalid: [
    { code: 'VACUUM FULL users;', errors: [{ message: 'pg_repack', line: 1, column: 1, endColumn: 12 }] },
    { code: 'VACUUM (FULL, ANALYZE) users;', errors: [{ message: 'VACUUM FULL' }] },
    { code: 'CLUSTER users USING users_pkey;', errors: [{ message: 'CLUSTER rewrites', endColumn: 8 }] },
    { code: 'VACUUM FULL;', errors: [{ message: 'every table' }] },
    { code: 'VACUUM (FULL true) users;', errors: [{ message: 'VACUUM FULL' }] },
    { code: 'VACUUM (FULL on) users;', errors: [{ message: 'VACUUM FULL' }] },
    { code: 'VACUUM (FULL 1) users;', errors: [{ message: 'VACUUM FULL' }] },
    { code: 'VACUUM (FULL false, FULL) users;', errors: [{ message: 'VACUUM FULL' }] },
  ],
});
