import { stringList } from '../../sql/ast';
import type { StatementRule } from '../rule';
import { ident, insertFix } from '../rule-helpers';
import { currentDefaultSchema, forEachEarlierStatement, sameName, type QualifiedName } from './support/earlier-in-file';
import { nodeOf } from '../../sql/nodes';

function domainName(names: string[], defaultSchema: string): QualifiedName | undefined {
  const name = names[names.length - 1];
  if (name === undefined) return undefined;
  return { schema: names.length >= 2 ? names[names.length - 2] : defaultSchema, name };
}

/** ALTER DOMAIN … ADD CONSTRAINT CHECK checks every column of the domain's type, in every table, under SHARE locks. */
export const rule: StatementRule = {
  id: 'domain-constraint-missing-not-valid',
  kind: 'statement',
  defaultSeverity: 'warning',
  fixable: true,
  docs: { description: 'ALTER DOMAIN … ADD CONSTRAINT without NOT VALID scans every table using the domain while blocking their writes.' },
  check(context) {
    const node = nodeOf(context.statement.ast, 'AlterDomainStmt');
    const con = nodeOf(node?.def, 'Constraint');
    if (node?.subtype !== 'C' || con?.contype !== 'CONSTR_CHECK' || con.skip_validation) return;
    const names = stringList(node.typeName);
    const domain = domainName(names, currentDefaultSchema(context));
    if (!domain) return;
    // A domain created earlier in this file is used only by tables of this file: nothing to scan that has readers.
    let createdHere = false;
    forEachEarlierStatement(context, (statement, schema) => {
      const created = nodeOf(statement.ast, 'CreateDomainStmt');
      if (created && sameName(domainName(stringList(created.domainname), schema), domain)) createdHere = true;
      const drop = nodeOf(statement.ast, 'DropStmt');
      if (drop?.removeType === 'OBJECT_DOMAIN') {
        // DROP DOMAIN lists type names: [{TypeName: {names}}].
        for (const o of drop.objects ?? []) if (sameName(domainName(stringList(nodeOf(o, 'TypeName')?.names), schema), domain)) createdHere = false;
      }
    });
    if (createdHere) return;
    const statement = context.statement;
    const range = statement.constructRange(con.location);
    const written = names.join('.');
    // Postgres names an unnamed domain CHECK <domain>_check (with a number when that is taken).
    const constraint = con.conname ?? `${domain.name}_check`;
    context.report({
      message:
        `Adding CHECK constraint ${constraint} to domain ${written} checks every stored value of every column of that type, in every table, ` +
        'holding a SHARE lock on each of those tables: their INSERT, UPDATE and DELETE wait for the whole scan (and one bad value aborts the migration). ' +
        `Add it NOT VALID (instant; new values are checked from then on), then run ALTER DOMAIN ${names.map(ident).join('.')} VALIDATE CONSTRAINT ${ident(constraint)} in a later migration, at a quiet time.`,
      range,
      fix: insertFix(statement, 'Add the constraint NOT VALID', range.endOffset, ' NOT VALID'),
    });
  },
};
