import { rule } from '../../../../src/core/lint/rules/partitioned-table-without-partition-key-filter';
import { runRuleTests } from '../rule-tester';

const events =
  'CREATE TABLE events (id bigint, tenant_id int, kind text, created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at);\n' +
  "CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n" +
  "CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');";
const byList = "CREATE TABLE orders (id bigint, region text NOT NULL, total numeric) PARTITION BY LIST (region);\nCREATE TABLE orders_eu PARTITION OF orders FOR VALUES IN ('eu');";
const byHash = 'CREATE TABLE sessions (user_id bigint, device int, seen timestamptz) PARTITION BY HASH (user_id, device);';
const byExpr = "CREATE TABLE logs (id bigint, at timestamptz NOT NULL, msg text) PARTITION BY RANGE (date_trunc('day', at));";
const plain = 'CREATE TABLE users (id bigint PRIMARY KEY, name text, since timestamptz);';
const q = (code: string, setup = events) => ({ setup: `${setup}\n${plain}`, code, migration: false });

runRuleTests(rule, {
  valid: [
    { name: 'equality on the key', ...q("SELECT id FROM events WHERE created_at = '2024-05-01';") },
    { name: 'a range on the key, reversed operands', ...q("SELECT id FROM events WHERE '2024-05-01' <= created_at AND created_at < now();") },
    { name: 'BETWEEN on the aliased key', ...q('SELECT e.id FROM public.events AS e WHERE e.created_at BETWEEN $1 AND $2 AND e.kind = $3;') },
    { name: 'IN and = ANY on a list key', ...q("SELECT id FROM orders WHERE region IN ('eu', 'us');\nSELECT id FROM orders WHERE region = ANY($1);", byList) },
    { name: 'an OR whose arms each restrict the key', ...q("SELECT id FROM orders WHERE region = 'eu' OR (region = 'us' AND total > 5);", byList) },
    { name: 'IS NULL prunes to the partition holding NULLs', ...q('SELECT id FROM orders WHERE region IS NULL;', byList) },
    { name: 'hash: equality on every key column', ...q('SELECT seen FROM sessions WHERE user_id = $1 AND device IN (1, 2);', byHash) },
    { name: 'a scalar subquery as the value', ...q('SELECT id FROM events WHERE created_at > (SELECT max(since) FROM users);') },
    { name: 'the key equated to a joined table\'s column', ...q('SELECT e.id FROM users u JOIN events e ON e.created_at = u.since WHERE u.id = 1;') },
    { name: 'the key restricted in the JOIN condition', ...q("SELECT e.id FROM users u JOIN events e ON e.tenant_id = u.id AND e.created_at >= '2025-01-01';") },
    { name: 'the key expression written as in PARTITION BY', ...q("SELECT id FROM logs WHERE date_trunc('day', at) = '2024-05-01';", byExpr) },
    { name: 'an outer condition on the key column may be pushed into a FROM subquery', ...q("SELECT * FROM (SELECT id, created_at FROM events) s WHERE s.created_at > now() - interval '1 day';") },
    { name: 'NOT MATERIALIZED is inlined even when read twice', ...q('WITH x AS NOT MATERIALIZED (SELECT id, created_at FROM events) SELECT a.id FROM x a JOIN x b USING (id) WHERE a.created_at > now() AND b.created_at > now();') },
    { name: 'an outer condition may be pushed into a CTE', ...q("WITH recent AS (SELECT id, created_at FROM events) SELECT id FROM recent WHERE created_at > now() - interval '1 day';") },
    { name: 'a CTE named like the table hides it', ...q('WITH events AS (SELECT 1 AS id) SELECT id FROM events;') },
    { name: 'ONLY reads no partition', ...q('SELECT id FROM ONLY events WHERE kind = $1;') },
    { name: 'INSERT is not judged', ...q("INSERT INTO events (id, created_at) SELECT id, since FROM users;\nINSERT INTO events SELECT * FROM events WHERE kind = 'x';") },
    { name: 'UPDATE/DELETE without WHERE are missing-where\'s', ...q("UPDATE events SET kind = 'x';\nDELETE FROM events;") },
    { name: 'UPDATE and DELETE on the key', ...q("UPDATE events SET kind = 'x' WHERE created_at < '2024-02-01' AND id = 5;\nDELETE FROM events WHERE created_at < now() - interval '90 days';") },
    { name: 'a table the schema does not know is partitioned', ...q('SELECT id FROM users WHERE name = $1;\nSELECT * FROM audit WHERE x = 1;') },
    { name: 'a view definition is not judged', ...q('CREATE VIEW all_events AS SELECT id FROM events;') },
    { name: 'a multi-column range key: the first column restricted', ...q('SELECT 1 FROM m WHERE a = 1;', 'CREATE TABLE m (a int, b int) PARTITION BY RANGE (a, b);') },
    { name: 'a sub-partitioned partition read directly: its own key', ...q("SELECT id FROM ev_eu WHERE created_at > now();", "CREATE TABLE ev (id int, region text, created_at timestamptz) PARTITION BY LIST (region);\nCREATE TABLE ev_eu PARTITION OF ev FOR VALUES IN ('eu') PARTITION BY RANGE (created_at);") },
    { name: 'a boolean key as a bare condition', ...q('SELECT 1 FROM flags WHERE NOT archived;\nSELECT 1 FROM flags WHERE archived;', 'CREATE TABLE flags (id int, archived boolean) PARTITION BY LIST (archived);') },
    { name: 'a constant false condition leaves no scan', ...q("UPDATE events SET kind = 'x' WHERE false;\nSELECT id FROM events WHERE 1 = 0 AND kind = 'y';\nSELECT id FROM events WHERE 'f'::bool AND kind = 'y';") },
    { name: 'a semi-join on the key (IN, = ANY, EXISTS): pruned at run time like the join it is', ...q('SELECT id FROM events WHERE created_at IN (SELECT since FROM users WHERE id = 1);\nSELECT id FROM events WHERE created_at = ANY (SELECT since FROM users);\nSELECT e.id FROM events e WHERE EXISTS (SELECT 1 FROM users u WHERE u.since = e.created_at);') },
    { name: 'a cast of the key to its own type (or varchar to text) keeps pruning', ...q("SELECT id FROM events WHERE created_at::timestamptz > now();\nSELECT id FROM days WHERE d::date = '2024-05-01';\nSELECT id FROM codes WHERE code::text = 'a';", `${events}\nCREATE TABLE days (id int, d date NOT NULL) PARTITION BY RANGE (d);\nCREATE TABLE codes (id int, code varchar(10) NOT NULL) PARTITION BY LIST (code);`) },
    { name: 'NOT of a comparison Postgres inverts into one that prunes', ...q("SELECT id FROM events WHERE NOT (created_at < '2025-02-01');\nSELECT id FROM events WHERE created_at NOT BETWEEN '2024-01-01' AND '2025-12-31';\nSELECT id FROM events WHERE NOT (created_at < '2024-03-01' OR created_at > '2024-04-01');\nSELECT id FROM orders WHERE NOT (region = 'eu');", `${events}\n${byList}`) },
    { name: 'CTEs: a recursive self-reference and an earlier CTE are not the table', ...q('WITH RECURSIVE events AS (SELECT 1 AS id UNION ALL SELECT id + 1 FROM events WHERE id < 3) SELECT id FROM events;\nWITH a AS (SELECT 1 AS x), events AS (SELECT x FROM a) SELECT x FROM events;') },
    { name: 'MERGE joining on the key', ...q("MERGE INTO events e USING users u ON e.created_at = u.since WHEN MATCHED THEN UPDATE SET kind = 'm';") },
    { name: 'RENAME COLUMN of the key: the key follows', ...q('SELECT id FROM colren WHERE kk = 1;', 'CREATE TABLE colren (id int, k int) PARTITION BY RANGE (k);\nALTER TABLE colren RENAME COLUMN k TO kk;') },
    { name: 'RENAME COLUMN read by a key expression: the key is no longer known', ...q('SELECT id FROM lx WHERE id = 1;', 'CREATE TABLE lx (id int, k int) PARTITION BY RANGE ((k + 1));\nALTER TABLE lx RENAME COLUMN k TO kk;') },
    { name: 'list: <>, NOT IN and IS NOT NULL leave partitions out', ...q("SELECT id FROM orders WHERE region <> 'eu';\nSELECT id FROM orders WHERE region NOT IN ('eu', 'us');\nSELECT id FROM orders WHERE region IS NOT NULL;", byList) },
    { name: 'a condition on a sub-partition key prunes some partitions', ...q("SELECT id FROM ev WHERE created_at > now();\nSELECT id FROM ev WHERE region = 'eu' OR created_at > now();", "CREATE TABLE ev (id int, region text, created_at timestamptz) PARTITION BY LIST (region);\nCREATE TABLE ev_eu PARTITION OF ev FOR VALUES IN ('eu') PARTITION BY RANGE (created_at);") },
    { name: 'a boolean expression key (NOT a): comparisons of the column prune', ...q('SELECT 1 FROM bp WHERE a = false;', 'CREATE TABLE bp (a bool) PARTITION BY LIST ((NOT a));') },
    { name: 'COLLATE on the key, = ALL', ...q('SELECT 1 FROM orders WHERE region COLLATE "C" = \'eu\';\nSELECT 1 FROM orders WHERE region = ALL (\'{eu}\');', byList) },
    { name: 'IS NULL on a later range key column leaves only the default partition', ...q('SELECT 1 FROM m WHERE b IS NULL;', 'CREATE TABLE m (a int, b int) PARTITION BY RANGE (a, b);') },
    { name: 'EXPLAIN of a query on the key', ...q("EXPLAIN (ANALYZE) SELECT id FROM events WHERE created_at > now() - interval '1 day';") },
    { name: 'a row equality on (id, key)', ...q('SELECT kind FROM events WHERE (id, created_at) = ($1, $2);\nDELETE FROM events WHERE (created_at, id) = (now(), 1);') },
    { name: 'EXISTS restricting the outer table\'s key (a semi-join: the condition reaches its scan)', ...q('SELECT * FROM events e1 WHERE EXISTS (SELECT 1 FROM events e2 WHERE e1.created_at = e2.created_at AND e1.created_at = $1);') },
    { name: 'a correlated EXISTS restricts through the outer column', ...q('SELECT u.id FROM users u WHERE EXISTS (SELECT 1 FROM events e WHERE e.created_at = u.since);') },
  ],
  invalid: [
    {
      ...q('SELECT id\nFROM events WHERE kind = $1;'),
      errors: [
        {
          message:
            'this SELECT reads events, partitioned by RANGE (created_at), with no condition on the partition key that Postgres can prune with: every partition (2 in the migrations) is scanned; ' +
            'add a condition on created_at (=, <, >, BETWEEN, IN) so it reads only the partitions that can hold the rows',
          severity: 'warning',
          line: 2,
          column: 6,
          endColumn: 12,
        },
      ],
    },
    { name: 'no WHERE at all', ...q('SELECT count(*) FROM public.events;'), errors: [{ message: 'this SELECT reads events', column: 22, endColumn: 35 }] },
    {
      name: 'a cast around the key hides it from pruning',
      ...q("SELECT id FROM events e WHERE e.created_at::date = '2024-05-01';"),
      errors: [{ message: 'the condition on created_at is not one pruning can use (a function or cast around the key' }],
    },
    {
      name: 'the key compared with another column of the same table',
      ...q('SELECT id FROM events WHERE created_at > id::text::timestamptz;'),
      errors: [{ message: 'is not one pruning can use' }],
    },
    {
      name: 'expression key: a condition on the underlying column does not prune',
      ...q("SELECT id FROM logs WHERE at >= '2024-05-01';", byExpr),
      errors: [{ message: "a condition on at alone does not prune, only one on the key expression date_trunc('day', at) itself" }],
    },
    {
      name: 'hash: an equality on one of two key columns, and a range',
      ...q('SELECT 1 FROM sessions WHERE user_id = 1;\nSELECT 1 FROM sessions WHERE user_id > 1 AND device = 2;', byHash),
      errors: [{ message: 'partitioned by HASH (user_id, device)', line: 1 }, { message: 'compare every key column with = or IN', line: 2 }],
    },
    {
      name: 'an OR with an arm that does not restrict the key',
      ...q("SELECT id FROM orders WHERE region = 'eu' OR total > 100;", byList),
      errors: [{ message: 'partitioned by LIST (region)' }],
    },
    {
      name: 'a join reaching the key of the other table only',
      ...q("SELECT e.id FROM events e JOIN users u ON u.id = e.tenant_id WHERE u.since > '2024-01-01';"),
      errors: [{ message: 'this SELECT reads events' }],
    },
    {
      name: 'the other column of the alias, not the key',
      ...q("SELECT e.id FROM events e, users u WHERE u.since = e.created_at OR e.kind = 'x';"),
      errors: [{ line: 1 }],
    },
    {
      name: 'UPDATE and DELETE with a WHERE off the key',
      ...q("UPDATE events SET kind = 'y' WHERE id = 5;\nDELETE FROM events WHERE tenant_id = 3;"),
      errors: [{ message: 'this UPDATE reads events', line: 1, column: 8 }, { message: 'this DELETE reads events', line: 2, column: 13 }],
    },
    {
      name: 'in a subquery, a CTE and a UNION arm',
      ...q("SELECT id FROM users WHERE id IN (SELECT tenant_id FROM events WHERE kind = 'x');\nWITH t AS (SELECT id FROM events) SELECT * FROM t;\nSELECT id FROM users UNION ALL SELECT id FROM events WHERE kind = 'y';"),
      errors: [{ line: 1 }, { line: 2 }, { line: 3 }],
    },
    {
      name: 'a semi-join on a column that is not the key reads every outer partition',
      ...q('SELECT e.id FROM events e WHERE EXISTS (SELECT 1 FROM users u WHERE u.id = e.tenant_id);\nSELECT e.id FROM events e WHERE e.id IN (SELECT e.id FROM events e WHERE e.created_at > now());'),
      errors: [{ line: 1, column: 18 }, { line: 2, column: 18 }],
    },
    {
      name: 'multi-column range key: only the second column restricted',
      ...q('SELECT 1 FROM m WHERE b = 1;', 'CREATE TABLE m (a int, b int) PARTITION BY RANGE (a, b);'),
      errors: [{ message: 'add a condition on a (' }],
    },
    {
      name: 'EXPLAIN is judged as its query; ANALYZE runs it',
      ...q("EXPLAIN (ANALYZE, BUFFERS) SELECT id FROM events WHERE kind = 'x';"),
      errors: [{ message: 'this SELECT reads events', column: 43 }],
    },
    {
      name: 'a sub-partitioned partition named directly, filtered on neither level',
      ...q("SELECT id FROM ev_eu WHERE id = 3;", "CREATE TABLE ev (id int, region text, created_at timestamptz) PARTITION BY LIST (region);\nCREATE TABLE ev_eu PARTITION OF ev FOR VALUES IN ('eu') PARTITION BY RANGE (created_at);"),
      errors: [{ message: 'this SELECT reads ev_eu, partitioned by RANGE (created_at)' }],
    },
    {
      name: 'a non-recursive CTE named like the table reads the table in its own body',
      ...q("WITH events AS (SELECT * FROM events WHERE kind = 'x') SELECT id FROM events;"),
      errors: [{ message: 'this SELECT reads events', column: 31 }],
    },
    {
      name: 'an outer condition does not reach a MATERIALIZED CTE, a CTE read twice, or a subquery behind LIMIT or a window function',
      ...q(
        'WITH x AS MATERIALIZED (SELECT id, created_at FROM events) SELECT id FROM x WHERE created_at > now();\n' +
          'WITH x AS (SELECT id, created_at FROM events) SELECT a.id FROM x a JOIN x b USING (id) WHERE a.created_at > now();\n' +
          'SELECT id FROM (SELECT id, created_at, row_number() OVER (ORDER BY id) AS rn FROM events) s WHERE created_at > now();\n' +
          'SELECT id FROM (SELECT id, created_at FROM events LIMIT 10) s WHERE created_at > now();',
      ),
      errors: [{ line: 1 }, { line: 2 }, { line: 3 }, { line: 4 }],
    },
    {
      name: 'a quoted mixed-case key is quoted in the message, as it must be written',
      ...q('SELECT id FROM "Orders" WHERE total > 5;', 'CREATE TABLE "Orders" (id bigint, "Region" text NOT NULL, total numeric) PARTITION BY LIST ("Region");'),
      errors: [{ message: 'this SELECT reads "Orders", partitioned by LIST ("Region"), with no condition' }],
    },
    {
      name: 'WHERE 1 = 1 or a parameter gates nothing when true',
      ...q("SELECT id FROM events WHERE 1 = 1 AND kind = 'a';\nSELECT id FROM events WHERE $1 AND kind = 'y';"),
      errors: [{ line: 1 }, { line: 2 }],
    },
    {
      name: 'NOT of an equality or IS NULL on a range key (<> and IS NOT NULL do not prune it)',
      ...q("SELECT id FROM events WHERE NOT (created_at = '2024-05-01');\nSELECT id FROM events WHERE NOT (created_at IS NULL);"),
      errors: [{ line: 1 }, { line: 2 }],
    },
    {
      name: 'a cast of the key to another type or length',
      ...q("SELECT id FROM codes WHERE code::varchar(1) = 'a';\nSELECT id FROM events WHERE created_at::date = '2024-05-01';", `${events}\nCREATE TABLE codes (id int, code varchar(10) NOT NULL) PARTITION BY LIST (code);`),
      errors: [{ line: 1 }, { line: 2 }],
    },
    {
      name: 'MERGE into the table on another column',
      ...q("MERGE INTO events e USING users u ON e.id = u.id WHEN MATCHED THEN UPDATE SET kind = 'm';"),
      errors: [{ message: 'this MERGE reads events', column: 12 }],
    },
    {
      name: 'RENAME COLUMN of the key: a condition on the old name is no longer one on the key',
      ...q('SELECT id FROM colren WHERE id = 1;', 'CREATE TABLE colren (id int, k int) PARTITION BY LIST (k);\nALTER TABLE colren RENAME COLUMN k TO kk;'),
      errors: [{ message: 'partitioned by LIST (kk)' }],
    },
    {
      name: 'in a migration too (a data migration reads every partition)',
      code: `${events}\nUPDATE events SET kind = lower(kind) WHERE kind <> lower(kind);`,
      errors: [{ line: 4 }],
    },
  ],
});
