import { rule } from '../../../../src/core/lint/rules/renaming-enum-value';
import { runRuleTests } from '../rule-tester';

const setup = "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');\nCREATE SCHEMA app;\nCREATE TYPE app.status AS ENUM ('new', 'done');";

runRuleTests(rule, {
  valid: [
    { name: 'type created in the same file', code: "CREATE TYPE mood AS ENUM ('sad', 'ok');\nALTER TYPE mood RENAME VALUE 'sad' TO 'unhappy';" },
    {
      name: 'type created in the same file, qualified after SET search_path',
      code: "SET search_path = app;\nCREATE TYPE status AS ENUM ('new');\nALTER TYPE app.status RENAME VALUE 'new' TO 'open';",
    },
    { name: 'adding a value is the safe way', setup, code: "ALTER TYPE mood ADD VALUE 'unhappy';" },
    { setup, code: "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'unhappy' BEFORE 'ok';" },
    { name: 'renaming the type itself is another statement', setup, code: 'ALTER TYPE mood RENAME TO feeling;' },
  ],
  invalid: [
    {
      setup,
      code: "ALTER TYPE mood RENAME VALUE 'sad' TO 'unhappy';",
      errors: [
        {
          message:
            "Renaming value 'sad' of enum mood to 'unhappy' breaks the application version still running during the deploy: " +
            `every query that writes or compares 'sad' fails with "invalid input value for enum mood". ` +
            'Add the new value (ALTER TYPE … ADD VALUE, committed before it is used), move the rows to it, and deploy code that uses it; ' +
            'enum values cannot be dropped, so leave the old one unused (removing it takes a new type and a rewrite of every table using it).',
          line: 1,
          column: 17,
          endColumn: 48,
        },
      ],
      output: null,
    },
    {
      name: 'qualified type name',
      setup,
      code: "ALTER TYPE app.status RENAME VALUE 'done' TO 'closed';",
      errors: [{ message: `'done' of enum app.status to 'closed'`, column: 23 }],
      output: null,
    },
    {
      name: 'a type of an earlier migration (or unknown to pglens)',
      code: "ALTER TYPE mood RENAME VALUE 'sad' TO 'unhappy';",
      errors: [{ message: 'invalid input value for enum mood' }],
      output: null,
    },
    {
      name: 'a same-named type in another schema was created here',
      setup,
      code: "CREATE TYPE app.mood AS ENUM ('sad');\nALTER TYPE mood RENAME VALUE 'sad' TO 'unhappy';",
      errors: [{ line: 2 }],
      output: null,
    },
  ],
});
