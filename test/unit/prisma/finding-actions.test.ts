import assert from 'node:assert/strict';
import { applyEdits } from '../../../src/core/lint/apply-edits';
import { findingActions } from '../../../src/core/lint/actions';
import { prismaFindingActions } from '../../../src/core/prisma/finding-actions';
import { lintPrismaSchema } from '../../../src/core/prisma/lint';

const SCHEMA = 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n\nmodel A {\n  id    BigInt @id\n  price Float\n}\n';

describe('prismaFindingActions', () => {
  const finding = () => {
    const found = lintPrismaSchema(SCHEMA, 'schema.prisma').find((f) => f.ruleId === 'money-as-float');
    assert.ok(found, 'money-as-float on a Float price');
    return found;
  };

  it('writes the suppressions as Prisma comments (//), which the Prisma linter honours', () => {
    const f = finding();
    const actions = prismaFindingActions(SCHEMA, f);
    const line = actions.find((a) => a.kind === 'suppress-line');
    const file = actions.find((a) => a.kind === 'suppress-file');
    assert.ok(line && file);
    assert.equal(line.edits[0].newText.trim(), '// pglens-ignore money-as-float');
    assert.equal(file.edits[0].newText.trim(), '// pglens-ignore-file money-as-float');
    for (const a of [line, file]) {
      const after = applyEdits(SCHEMA, a.edits);
      assert.equal(lintPrismaSchema(after, 'schema.prisma').filter((x) => x.ruleId === 'money-as-float').length, 0, after);
    }
  });

  it("keeps the rule's own fix as it is, and offers the same actions as for SQL otherwise", () => {
    const f = finding();
    const sql = findingActions(SCHEMA, f);
    const prisma = prismaFindingActions(SCHEMA, f);
    assert.deepEqual(prisma.map((a) => [a.kind, a.title, a.isPreferred]), sql.map((a) => [a.kind, a.title, a.isPreferred]));
    assert.deepEqual(prisma.find((a) => a.kind === 'fix'), sql.find((a) => a.kind === 'fix'));
    assert.deepEqual(
      prisma.filter((a) => a.kind !== 'fix').map((a) => a.edits.map((e) => e.range)),
      sql.filter((a) => a.kind !== 'fix').map((a) => a.edits.map((e) => e.range)),
    );
  });

  it('extends a Prisma suppression already above the line or at the top, as for SQL, instead of adding a second one', () => {
    const withMarkers = SCHEMA.replace('  price Float', '  // pglens-ignore prefer-bigint-over-int\n  price Float').replace('datasource db', '// pglens-ignore-file missing-primary-key\ndatasource db');
    const f = lintPrismaSchema(withMarkers, 'schema.prisma').find((x) => x.ruleId === 'money-as-float');
    assert.ok(f);
    const actions = prismaFindingActions(withMarkers, f);
    for (const kind of ['suppress-line', 'suppress-file'] as const) {
      const a = actions.find((x) => x.kind === kind);
      assert.ok(a);
      assert.equal(a.edits[0].newText, ', money-as-float', kind);
      const after = applyEdits(withMarkers, a.edits);
      assert.equal(lintPrismaSchema(after, 'schema.prisma').filter((x) => x.ruleId === 'money-as-float').length, 0, after);
    }
  });
});
