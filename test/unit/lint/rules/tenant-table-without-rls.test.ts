import assert from 'node:assert/strict';
import { rule, tenantColumnsOption } from '../../../../src/core/lint/rules/tenant-table-without-rls';
import { runRuleTests } from '../rule-tester';

describe('tenantColumnsOption', () => {
  it('takes a name or a list of names, else the defaults', () => {
    assert.deepEqual(tenantColumnsOption('account_id'), ['account_id']);
    assert.deepEqual(tenantColumnsOption(['organizationId', 'org_id']), ['organizationId', 'org_id']);
    assert.deepEqual(tenantColumnsOption(undefined), ['tenant_id', 'organization_id']);
    assert.deepEqual(tenantColumnsOption(3), ['tenant_id', 'organization_id']);
  });
});

runRuleTests(rule, {
  valid: [
    { name: 'RLS enabled', code: 'CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL);\nALTER TABLE invoices ENABLE ROW LEVEL SECURITY;' },
    { name: 'no tenant column', code: 'CREATE TABLE tenants (id uuid PRIMARY KEY, name text);' },
    { name: 'another tenant column than configured', options: { tenantColumn: 'account_id' }, code: 'CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid);' },
    { name: 'a temporary table', code: 'CREATE TEMP TABLE scratch (tenant_id uuid, n int);' },
    { name: 'the tenant column is dropped', code: 'CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid);\nALTER TABLE invoices DROP COLUMN tenant_id;' },
    {
      name: 'RLS enabled in a DO block',
      code: "CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid);\nDO $$ BEGIN EXECUTE 'ALTER TABLE invoices ENABLE ROW LEVEL SECURITY'; END $$;",
    },
  ],
  invalid: [
    {
      code: 'CREATE TABLE invoices (id bigint PRIMARY KEY, tenant_id uuid NOT NULL);',
      errors: [
        {
          message:
            "invoices holds rows of several tenants (column tenant_id) but row-level security is not enabled on it: nothing in the database keeps a query from other tenants' rows, " +
            'so one query missing WHERE tenant_id = … reads or changes them; enable row-level security with a policy comparing tenant_id with the current tenant',
          line: 1,
          column: 14,
          endColumn: 22,
        },
      ],
      output: null,
    },
    {
      name: 'a configured camelCase column (Prisma), a tenant column added later, RLS disabled again',
      options: { tenantColumn: ['organizationId'] },
      code: 'CREATE TABLE app."Asset" (id text PRIMARY KEY);\nALTER TABLE app."Asset" ADD COLUMN "organizationId" text NOT NULL;\nALTER TABLE app."Asset" ENABLE ROW LEVEL SECURITY;\nALTER TABLE app."Asset" DISABLE ROW LEVEL SECURITY;',
      errors: [{ message: 'app."Asset" holds rows of several tenants (column "organizationId")', line: 1, column: 14, endColumn: 25 }],
    },
    {
      name: 'policies alone do not count',
      code: 'CREATE TABLE invoices (id bigint PRIMARY KEY, organization_id uuid);\nCREATE POLICY t ON invoices USING (organization_id = current_setting(\'app.org\')::uuid);',
      errors: [{ message: 'column organization_id' }],
    },
  ],
});
