import assert from 'node:assert/strict';
import { loadSqlParser } from '../../../src/core/sql/parse';
import { applyEdits, findingActions, lintMigrationSet, lintSqlFile, rules } from '../../../src/core/lint';
import { defaultConfig, parseConfig } from '../../../src/core/config';
import { STATEMENT_RULE_IDS, SCHEMA_RULE_IDS } from '../../../src/core/lint/rule-ids';
import { emptySchema, type Table } from '../../../src/core/schema/model';

const ids = (findings: { ruleId: string }[]) => findings.map((f) => f.ruleId);

describe('lint engine', () => {
  before(() => loadSqlParser());

  it('registers every statement and schema rule of docs/rules/ exactly once', () => {
    assert.deepEqual(rules.map((r) => r.id).sort(), [...STATEMENT_RULE_IDS, ...SCHEMA_RULE_IDS].sort());
    for (const r of rules) assert.ok(r.docs.description.length > 10, `${r.id} has a description`);
  });

  it('treats tables of earlier files in a set as existing and tables of the same file as new', () => {
    const findings = lintMigrationSet(
      [
        { file: 'm/002_index.sql', text: 'CREATE INDEX a_x ON a (x);\nCREATE TABLE b (id int PRIMARY KEY, x int);\nCREATE INDEX b_x ON b (x);' },
        { file: 'm/001_init.sql', text: 'CREATE TABLE a (id int PRIMARY KEY, x int);' },
      ],
      defaultConfig('/'),
    );
    const concurrent = findings.filter((f) => f.ruleId === 'require-concurrent-index-creation');
    assert.deepEqual(concurrent.map((f) => [f.file, f.range.start.line]), [['m/002_index.sql', 0]]);
  });

  it('runs schema rules on the final schema and reports at the definition', () => {
    const findings = lintMigrationSet(
      [
        { file: '001.sql', text: 'CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));' },
        { file: '002.sql', text: 'CREATE INDEX CONCURRENTLY orders_user_id_idx ON orders (user_id);' },
      ],
      defaultConfig('/'),
    );
    assert.ok(!ids(findings).includes('fk-without-index'), 'index added in a later file covers the FK');
    const alone = lintSqlFile('001.sql', 'CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));');
    const fk = alone.find((f) => f.ruleId === 'fk-without-index');
    assert.ok(fk, 'FK without index is reported');
    assert.equal(fk.range.start.line, 1);
  });

  it('turns syntax errors into findings and keeps linting the rest', () => {
    const findings = lintSqlFile('x.sql', 'SELEC 1;\nDROP DATABASE prod;');
    assert.deepEqual(ids(findings), ['syntax-error', 'ban-drop-database']);
    assert.equal(findings[0].severity, 'error');
  });

  it('honours -- pglens-ignore on the line before, on the same line, before the statement, and -ignore-file', () => {
    const text = [
      'CREATE TABLE t (id int PRIMARY KEY);',
      '-- pglens-ignore ban-drop-database',
      'DROP DATABASE a;',
      'DROP DATABASE b; -- pglens-ignore ban-drop-database, ban-drop-table',
      'DROP DATABASE c;',
      '-- pglens-ignore ban-truncate-cascade',
      'TRUNCATE t,',
      '  u CASCADE;',
    ].join('\n');
    const findings = lintSqlFile('x.sql', text).filter((f) => f.ruleId.startsWith('ban-'));
    assert.deepEqual(findings.map((f) => [f.ruleId, f.range.start.line]), [['ban-drop-database', 4]]);
    const fileWide = lintSqlFile('x.sql', `-- pglens-ignore-file ban-drop-database\n${text}`);
    assert.ok(!ids(fileWide).includes('ban-drop-database'));
  });

  it('knows explicit BEGIN … COMMIT and configured transactional folders', () => {
    const text = 'CREATE INDEX CONCURRENTLY i ON t (a);';
    assert.ok(!ids(lintSqlFile('db/001.sql', text, defaultConfig('/r'))).includes('concurrent-index-in-transaction'));
    assert.ok(ids(lintSqlFile('db/001.sql', `BEGIN;\n${text}\nCOMMIT;`, defaultConfig('/r'))).includes('concurrent-index-in-transaction'));
    const config = parseConfig({ migrations: [{ path: 'db', transactional: true }] }, '/r/.pglens.json');
    assert.ok(ids(lintSqlFile('/r/db/001.sql', text, config)).includes('concurrent-index-in-transaction'));
    assert.ok(ids(lintSqlFile('/r/prisma/migrations/2024_x/migration.sql', text, defaultConfig('/r'))).includes('concurrent-index-in-transaction'));
    const optOut = parseConfig({ migrations: [{ path: 'prisma/migrations/**', transactional: false }] }, '/r/.pglens.json');
    assert.ok(!ids(lintSqlFile('/r/prisma/migrations/2024_x/migration.sql', text, optOut)).includes('concurrent-index-in-transaction'));
  });

  it('applies config severities, turns rules off, and skips excluded files', () => {
    const config = parseConfig({ rules: { 'ban-drop-table': 'error', 'require-lock-timeout': 'off' }, exclude: ['legacy/**'] }, '/r/.pglens.json');
    const findings = lintSqlFile('/r/a.sql', 'DROP TABLE x;', config);
    assert.deepEqual(findings.map((f) => [f.ruleId, f.severity]), [['ban-drop-table', 'error']]);
    assert.deepEqual(lintSqlFile('/r/legacy/old.sql', 'DROP TABLE x;', config), []);
  });

  it('treats tables of a base schema (the live database) as existing', () => {
    const base = emptySchema();
    const users: Table = { schema: 'public', name: 'users', columns: [{ name: 'email', type: 'varchar', typeModifiers: [50], isArray: false, notNull: false }], indexes: [], foreignKeys: [] };
    base.tables.set('public.users', users);
    const findings = lintSqlFile('a.sql', 'ALTER TABLE users ALTER COLUMN email TYPE varchar(100);', defaultConfig('/'), { baseSchema: base });
    assert.ok(!ids(findings).includes('changing-column-type'), 'widening a known varchar is rewrite-free');
    assert.equal(users.columns[0].typeModifiers[0], 50, 'the base schema is not mutated');
  });

  it('reports only the requested file with onlyFile, replaying the others', () => {
    const files = [
      { file: '001.sql', text: 'DROP DATABASE x;\nCREATE TABLE t (id int PRIMARY KEY);' },
      { file: '002.sql', text: 'ALTER TABLE t ADD COLUMN a int;\nCREATE INDEX i ON t (a);' },
    ];
    const findings = lintMigrationSet(files, defaultConfig('/'), { onlyFile: '002.sql' });
    assert.deepEqual(ids(findings), ['require-lock-timeout', 'require-concurrent-index-creation']);
  });

  it('offers the fix and both suppressions as edits', () => {
    const text = 'SELECT 1;\n  DROP INDEX t_pkey;';
    const finding = lintSqlFile('a.sql', text).find((f) => f.ruleId === 'require-concurrent-index-deletion');
    assert.ok(finding);
    const actions = findingActions(text, finding);
    assert.deepEqual(actions.map((a) => a.kind), ['fix', 'suppress-line', 'suppress-file']);
    assert.equal(applyEdits(text, actions[1].edits), 'SELECT 1;\n  -- pglens-ignore require-concurrent-index-deletion\n  DROP INDEX t_pkey;');
    assert.equal(applyEdits(text, actions[2].edits), `-- pglens-ignore-file require-concurrent-index-deletion\n${text}`);
    const suppressed = applyEdits(text, actions[1].edits);
    assert.ok(!ids(lintSqlFile('a.sql', suppressed)).includes('require-concurrent-index-deletion'));
    const twice = lintSqlFile('a.sql', suppressed.replace('DROP INDEX t_pkey', 'DROP TABLE t, u'));
    const dropTable = twice.find((f) => f.ruleId === 'ban-drop-table')!;
    assert.equal(
      applyEdits(suppressed.replace('DROP INDEX t_pkey', 'DROP TABLE t, u'), findingActions(suppressed, dropTable).find((a) => a.kind === 'suppress-line')!.edits).split('\n')[1],
      '  -- pglens-ignore require-concurrent-index-deletion, ban-drop-table',
    );
  });

  it('keeps a crashing rule from taking down the others', () => {
    const boom = { id: 'ban-drop-table', kind: 'statement' as const, defaultSeverity: 'warning' as const, docs: { description: 'x' }, check: () => { throw new Error('boom'); } };
    const findings = lintSqlFile('a.sql', 'SELECT 1;', defaultConfig('/'), { rules: [boom] });
    assert.equal(findings.length, 1);
    assert.match(findings[0].message, /failed on this statement \(boom\)/);
  });
});

describe('lint engine: down migrations', () => {
  before(() => loadSqlParser());

  it('lints *.down.sql files without letting them change the schema of later files', () => {
    const findings = lintMigrationSet(
      [
        { file: 'm/001_users.up.sql', text: 'CREATE TABLE users (id bigint PRIMARY KEY, email text);' },
        { file: 'm/001_users.down.sql', text: 'DROP TABLE users;' },
        { file: 'm/002_email.up.sql', text: 'ALTER TABLE users ALTER COLUMN email TYPE varchar;' },
      ],
      defaultConfig('/'),
    );
    // text → varchar is rewrite-free only if pglens still knows users.email is text.
    assert.deepEqual(
      findings.filter((f) => f.ruleId === 'ban-drop-table' || f.ruleId === 'changing-column-type').map((f) => [f.ruleId, f.file]),
      [['ban-drop-table', 'm/001_users.down.sql']],
    );
  });
});
