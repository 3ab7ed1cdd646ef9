import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckJudgement, DatabaseCheck, DatabaseFinding, Thresholds } from '../../../../src/core/health/database/check';
import type { SessionRow } from '../../../../src/core/health/database/checks/sessions';

/**
 * Valid/invalid tables for the session checks, as rule-tester.ts does for lint rules: each case
 * judges plain rows (no server) with the check's defaults merged with its thresholds.
 */
export interface ValidCase<T> {
  name: string;
  data: T;
  thresholds?: Thresholds;
}

export interface ExpectedFinding {
  severity?: DatabaseFinding['severity'];
  pid?: number;
  /** A string matches the whole message; a RegExp part of it. */
  message?: string | RegExp;
  schema?: string;
  table?: string;
  metrics?: Record<string, number | string | boolean | null>;
}

export interface InvalidCase<T> extends ValidCase<T> {
  findings: ExpectedFinding[];
}

export interface CheckTests<T> {
  valid: ValidCase<T>[];
  invalid: InvalidCase<T>[];
}

export function judgeCase<T>(check: DatabaseCheck<T>, c: ValidCase<T>): CheckJudgement {
  return check.judge(c.data, { ...check.defaults, ...c.thresholds }, 'server');
}

export function runCheckTests<T>(check: DatabaseCheck<T>, tests: CheckTests<T>): void {
  describe(`database check ${check.id}`, () => {
    it('has a docs page stating its default severity and every threshold with its default', () => {
      const file = join(__dirname, '../../../../docs/rules', `${check.id}.md`);
      assert.ok(existsSync(file), `docs/rules/${check.id}.md is missing`);
      const text = readFileSync(file, 'utf8');
      assert.equal(text.split('\n')[0], `# ${check.id}`);
      assert.equal(/^\*\*Default severity:\*\*\s*(\w+)/m.exec(text)?.[1], check.defaultSeverity);
      for (const [key, value] of Object.entries(check.defaults)) {
        assert.ok(text.includes(`\`${key}\``), `${check.id}.md does not name the option \`${key}\``);
        assert.ok(text.includes(`**${value.toLocaleString('en-US')}**`), `${check.id}.md does not state the default of ${key} as **${value.toLocaleString('en-US')}**`);
      }
    });

    describe('valid', () => {
      for (const c of tests.valid) {
        it(c.name, () => {
          const { findings } = judgeCase(check, c);
          assert.deepEqual(findings.map((f) => f.message), []);
        });
      }
    });

    describe('invalid', () => {
      for (const c of tests.invalid) {
        it(c.name, () => {
          const { findings } = judgeCase(check, c);
          assert.equal(findings.length, c.findings.length, `expected ${c.findings.length} finding(s), got:\n  ${findings.map((f) => f.message).join('\n  ') || '(none)'}`);
          c.findings.forEach((expected, i) => {
            const f = findings[i];
            assert.equal(f.ruleId, check.id);
            if (expected.message instanceof RegExp) assert.match(f.message, expected.message);
            else if (expected.message !== undefined) assert.equal(f.message, expected.message);
            if (expected.severity !== undefined) assert.equal(f.severity, expected.severity, `severity of finding ${i + 1}`);
            if (expected.pid !== undefined) assert.equal(f.pid, expected.pid, `pid of finding ${i + 1}`);
            if (expected.schema !== undefined) assert.equal(f.schema, expected.schema);
            if (expected.table !== undefined) assert.equal(f.table, expected.table);
            for (const [key, value] of Object.entries(expected.metrics ?? {})) assert.equal(f.metrics?.[key], value, `metrics.${key}`);
            assert.ok(f.nextStep, 'every finding says what to do');
          });
        });
      }
    });
  });
}

/** A client session of `alice` via `billing-api`, active for 10 s, unless `over` says otherwise. */
export function session(pid: number, over: Partial<SessionRow> = {}): SessionRow {
  return {
    pid,
    database: 'shop',
    usename: 'alice',
    applicationName: 'billing-api',
    clientAddr: '10.0.0.7',
    state: 'active',
    waitEventType: null,
    waitEvent: null,
    query: 'SELECT * FROM orders',
    backendType: 'client backend',
    queryStart: '2024-05-01T12:00:00.123456Z',
    querySeconds: 10,
    stateSeconds: 10,
    xactSeconds: 10,
    xidAge: null,
    xminAge: 3,
    ...over,
  };
}
