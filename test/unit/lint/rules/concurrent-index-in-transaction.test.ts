import { rule } from '../../../../src/core/lint/rules/concurrent-index-in-transaction';
import { runRuleTests } from '../rule-tester';

runRuleTests(rule, {
  valid: [
    'CREATE INDEX CONCURRENTLY users_email_idx ON users (email);',
    'DROP INDEX CONCURRENTLY users_email_idx;',
    { name: 'after COMMIT', code: 'BEGIN;\nCREATE TABLE t (a int);\nCOMMIT;\nCREATE INDEX CONCURRENTLY i ON users (a);' },
    { name: 'non-concurrent in a transaction is fine for this rule', inTransaction: true, code: 'CREATE INDEX i ON users (a);' },
    { name: 'config marks the folder non-transactional', code: 'CREATE INDEX CONCURRENTLY i ON users (a);', file: 'db/migrations/0001_x.sql' },
  ],
  invalid: [
    {
      code: 'BEGIN;\nCREATE INDEX CONCURRENTLY users_email_idx ON users (email);\nCOMMIT;',
      errors: [{ message: 'cannot run inside a transaction block', line: 2, column: 14, endColumn: 26 }],
    },
    { code: 'START TRANSACTION;\nDROP INDEX CONCURRENTLY users_email_idx;', errors: [{ message: 'DROP INDEX CONCURRENTLY', line: 2 }] },
    { name: 'file wrapped in a transaction by the runner', inTransaction: true, code: 'CREATE INDEX CONCURRENTLY i ON users (a);', errors: [{ line: 1 }] },
    { name: 'Prisma migration folders run in a transaction', file: 'prisma/migrations/20240101000000_idx/migration.sql', code: 'CREATE INDEX CONCURRENTLY i ON users (a);', errors: [{ line: 1 }] },
  ],
});
