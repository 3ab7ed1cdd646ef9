/** core/sql's typed node access and its one walker over libpg-query's parse tree. */
import { strict as assert } from 'node:assert';
import { walk, walkNodes, walkNodesOf } from '../../../src/core/sql/ast';
import { nodeOf } from '../../../src/core/sql/nodes';
import { loadSqlParser } from '../../../src/core/sql/parse';
import { parseStatements } from '../../../src/core/sql/parse-statements';

describe('typed parse-tree nodes', () => {
  before(() => loadSqlParser());
  const tree = (sql: string) => parseStatements(sql)[0].node;

  it('nodeOf unwraps a node of the asked kind only', () => {
    const select = nodeOf(tree('SELECT a FROM s.t AS x WHERE a = $2 AND b > 1'), 'SelectStmt');
    assert.ok(select);
    const from = nodeOf(select.fromClause?.[0], 'RangeVar');
    assert.deepEqual([from?.schemaname, from?.relname, from?.alias?.aliasname], ['s', 't', 'x']);
    assert.equal(nodeOf(select.whereClause, 'BoolExpr')?.boolop, 'AND_EXPR');
    assert.equal(nodeOf(select.whereClause, 'A_Expr'), undefined);
    assert.equal(nodeOf(undefined, 'RangeVar'), undefined);
  });

  it('walkNodesOf visits every node of one kind, subqueries included, parents first', () => {
    const names: string[] = [];
    walkNodesOf(tree('SELECT 1 FROM a WHERE EXISTS (SELECT 1 FROM b JOIN c ON true)'), 'RangeVar', (rv) => names.push(rv.relname));
    assert.deepEqual(names, ['a', 'b', 'c']);
    let params = 0;
    walkNodesOf(tree('UPDATE t SET a = $1 WHERE b = $3'), 'ParamRef', (p) => (params = Math.max(params, p.number)));
    assert.equal(params, 3);
  });

  it('walkNodes reports node types only; walk reports fields too', () => {
    const types: string[] = [];
    const keys: string[] = [];
    const ast = tree('ALTER TABLE t ADD COLUMN c int');
    walkNodes(ast, (type) => types.push(type));
    walk(ast, (_node, key) => keys.push(key));
    // A field whose type is fixed holds the bare body (`relation`, `typeName`): reported under the field's name, by walk only.
    assert.deepEqual(types, ['AlterTableStmt', 'AlterTableCmd', 'ColumnDef', 'String', 'String']);
    assert.ok(keys.includes('relation') && keys.includes('typeName') && !types.includes('relation'));
    const cmd = nodeOf(nodeOf(ast, 'AlterTableStmt')?.cmds?.[0], 'AlterTableCmd');
    assert.equal(cmd?.subtype, 'AT_AddColumn');
    assert.equal(nodeOf(cmd?.def, 'ColumnDef')?.colname, 'c');
  });
});
