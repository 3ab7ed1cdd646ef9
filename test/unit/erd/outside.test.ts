import assert from 'node:assert/strict';
import { defaultConfig } from '../../../src/core/config';
import { loadSqlParser } from '../../../src/core/sql/parse';
import type { LintPart } from '../../../src/core/lint/engine';
import { diagramSubset, outsideLabel, type DiagramModel, type DiagramTable } from '../../../src/core/erd/diagram';
import { toMermaid } from '../../../src/core/erd/mermaid';
import { partsDiagram } from '../../../src/core/erd/sources';
import { schemaJson, schemaText } from '../../../src/cli/commands/schema';
import { drawnGraph, neighbourhood } from '../../../media/src/erd/graph';

function sqlDiagram(...files: string[]): DiagramModel {
  const parts: LintPart[] = files.map((text, i) => ({ file: `/m/${String(i + 1).padStart(3, '0')}.sql`, text, direction: 'up' }));
  return partsDiagram(parts, defaultConfig('/m'), 'm/');
}

function table(tables: readonly DiagramTable[], id: string): DiagramTable {
  const t = tables.find((x) => x.id === id);
  assert.ok(t, `no table ${id}`);
  return t;
}

/** Supabase-style: keys to auth.users, a table the migrations never create; a billing schema; tenants every table references. */
const SAAS = `
CREATE SCHEMA billing;
CREATE TABLE tenants (id bigint PRIMARY KEY);
CREATE TABLE billing.accounts (id bigint PRIMARY KEY, tenant_id bigint NOT NULL REFERENCES tenants);
CREATE TABLE profiles (id uuid PRIMARY KEY REFERENCES auth.users ON DELETE CASCADE, tenant_id bigint REFERENCES tenants);
CREATE TABLE invoices (id bigint PRIMARY KEY, account_id bigint REFERENCES billing.accounts, tenant_id bigint NOT NULL REFERENCES tenants, "100%" int, CONSTRAINT "odd%%{init}" FOREIGN KEY ("100%") REFERENCES legacy.codes (code));
`;

describe('schema diagram: keys to tables not drawn', () => {
  before(() => loadSqlParser());

  it('REFERENCES t without columns draws a relation to t’s primary key', () => {
    const m = sqlDiagram(SAAS);
    const r = m.relations.find((x) => x.from === 'public.invoices' && x.to === 'billing.accounts');
    assert.deepEqual([r?.columns, r?.refColumns], [['account_id'], ['id']]);
  });

  it('a key to a table the source does not define is said on its table (reason missing), not dropped', () => {
    const m = sqlDiagram(SAAS);
    assert.deepEqual(table(m.tables, 'public.profiles').outside, [{ to: 'auth.users', columns: ['id'], refColumns: [], name: 'profiles_id_fkey', reason: 'missing' }]);
    assert.equal(outsideLabel(table(m.tables, 'public.profiles').outside![0]), '→ auth.users (not defined here)');
    assert.ok(!m.relations.some((r) => r.to === 'auth.users'));
    assert.equal(table(m.tables, 'public.tenants').outside, undefined);
  });

  it('a schema filter keeps the keys that leave it on their tables (reason hidden)', () => {
    const m = sqlDiagram(SAAS);
    const sub = diagramSubset(m, new Set(m.tables.filter((t) => t.schema === 'public').map((t) => t.id)));
    assert.deepEqual(sub.schemas, ['public']);
    assert.deepEqual(
      table(sub.tables, 'public.invoices').outside?.map((o) => [o.to, o.reason, outsideLabel(o)]),
      [
        ['legacy.codes', 'missing', '→ legacy.codes (not defined here)'],
        ['billing.accounts', 'hidden', '→ billing.accounts (not shown)'],
      ],
    );
    assert.ok(sub.relations.every((r) => r.from.startsWith('public.') && r.to.startsWith('public.')));
    assert.equal(m.tables.find((t) => t.id === 'public.invoices')?.outside?.length, 1, 'the whole model is left as it was');
  });

  it('focus: the drawn tables say where their keys to tables out of focus lead', () => {
    const m = sqlDiagram(SAAS);
    const only = neighbourhood(m, 'billing.accounts', 1);
    const g = drawnGraph(m, only);
    assert.deepEqual(g.tables.map((t) => t.id).sort(), ['billing.accounts', 'public.invoices', 'public.tenants']);
    assert.deepEqual(table(g.tables, 'public.invoices').outside?.map((o) => [o.to, o.reason]), [['legacy.codes', 'missing']]);
    const accountsOnly = drawnGraph(m, new Set(['billing.accounts']));
    assert.deepEqual(table(accountsOnly.tables, 'billing.accounts').outside?.map((o) => [o.to, o.reason, o.refColumns]), [['public.tenants', 'hidden', ['id']]]);
    assert.equal(drawnGraph(m).tables.find((t) => t.id === 'billing.accounts')?.outside, undefined, 'no focus: nothing hidden');
  });

  it('the Mermaid export says them as comments, which no name can turn into a directive', () => {
    const text = toMermaid(sqlDiagram(SAAS));
    const comments = text.split('\n').filter((l) => l.trimStart().startsWith('%%'));
    assert.deepEqual(comments, ['  %% profiles (id) → auth.users (not defined here)', '  %% invoices (100\uFF05) → legacy.codes (not defined here)']);
    assert.ok(!/%%\{/.test(text));
  });

  it('pglens schema: JSON carries them on the table, text lists them under its columns', () => {
    const m = sqlDiagram(SAAS);
    const sub = diagramSubset(m, new Set(['public.invoices']));
    const json = schemaJson({ model: sub, said: '' }, '/') as { tables: DiagramTable[] };
    assert.deepEqual(json.tables[0].outside?.map((o) => o.to), ['legacy.codes', 'billing.accounts', 'public.tenants']);
    const text = schemaText(sub, '/');
    assert.match(text, /^ {2}\(account_id\) → billing\.accounts \(not shown\)$/m);
    assert.match(text, /^ {2}\(tenant_id\) → tenants \(not shown\)$/m);
  });
});
