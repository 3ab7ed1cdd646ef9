import { rule } from '../../../../src/core/lint/rules/prefer-repack';
import { runRuleTests } from '../rule-tester';

runRuleTests(rule, {
  valid: [
    'VACUUM users;',
    'VACUUM (ANALYZE) users;',
    'ANALYZE users;',
    { name: 'table created in the same file', code: 'CREATE TABLE t (a int);\nVACUUM FULL t;' },
  ],
  invalid: [
    { code: 'VACUUM FULL users;', errors: [{ message: 'pg_repack', line: 1, column: 1, endColumn: 12 }] },
    { code: 'VACUUM (FULL, ANALYZE) users;', errors: [{ message: 'VACUUM FULL' }] },
    { code: 'CLUSTER users USING users_pkey;', errors: [{ message: 'CLUSTER rewrites', endColumn: 8 }] },
    { code: 'VACUUM FULL;', errors: [{ message: 'every table' }] },
  ],
});
