import { stringList } from '../../sql/ast';
import type { StatementRule } from '../rule';
import { findWord } from '../rule-helpers';
import { currentDefaultSchema, forEachEarlierStatement, sameName, type QualifiedName } from './support/earlier-in-file';
import { nodeOf } from '../../sql/nodes';

/** `schema.name` of a type name list (`['app', 'mood']` or `['mood']`), resolved in `defaultSchema`. */
function typeName(names: string[], defaultSchema: string): QualifiedName | undefined {
  const name = names[names.length - 1];
  if (!name) return undefined;
  return { schema: names.length > 1 ? names[names.length - 2] : defaultSchema, name };
}

/** Renaming an enum label breaks the application code already deployed, which still writes and compares the old one. */
export const rule: StatementRule = {
  id: 'renaming-enum-value',
  kind: 'statement',
  defaultSeverity: 'warning',
  docs: { description: 'ALTER TYPE … RENAME VALUE breaks every running query that still writes or compares the old label.' },
  check(context) {
    const node = nodeOf(context.statement.ast, 'AlterEnumStmt');
    // ADD VALUE has no oldVal; only the rename changes an existing label.
    if (!node?.oldVal || node.newVal === undefined) return;
    const names = stringList(node.typeName);
    const target = typeName(names, currentDefaultSchema(context));
    // A type created earlier in this file is not in use by the running application yet.
    let createdHere = false;
    forEachEarlierStatement(context, (statement, defaultSchema) => {
      const created = nodeOf(statement.ast, 'CreateEnumStmt');
      if (created && sameName(typeName(stringList(created.typeName), defaultSchema), target)) createdHere = true;
    });
    if (createdHere) return;
    const statement = context.statement;
    const rename = findWord(statement, ['RENAME']);
    const type = names.join('.');
    context.report({
      message:
        `Renaming value '${node.oldVal}' of enum ${type} to '${node.newVal}' breaks the application version still running during the deploy: ` +
        `every query that writes or compares '${node.oldVal}' fails with "invalid input value for enum ${type}". ` +
        `Add the new value (ALTER TYPE … ADD VALUE, committed before it is used), move the rows to it, and deploy code that uses it; ` +
        'enum values cannot be dropped, so leave the old one unused (removing it takes a new type and a rewrite of every table using it).',
      range: statement.rangeOf(rename?.start ?? statement.range.startOffset, statement.range.endOffset),
    });
  },
};
