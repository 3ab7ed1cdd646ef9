import type { SourceRange } from '../types';
import { tokenIndexAt } from './ast';
import { nodeOf } from './nodes';
import type { Statement } from './statement';

// Several rules ask about the statement being checked: only the last one is kept (see query-walk.ts on WeakMaps).
let rangesOf: Statement | undefined;
let ranges: SourceRange[] | undefined;

/**
 * Ranges of the comma-separated subcommands of an `ALTER TABLE` statement, in AST order
 * (AlterTableCmd nodes carry no location). Undefined when the text and the AST disagree.
 */
export function alterCommandRanges(statement: Statement): SourceRange[] | undefined {
  if (statement !== rangesOf) {
    ranges = computeRanges(statement);
    rangesOf = statement;
  }
  return ranges;
}

function computeRanges(statement: Statement): SourceRange[] | undefined {
  const ast = nodeOf(statement.ast, 'AlterTableStmt');
  if (!ast) return undefined;
  const tokens = statement.tokens();
  let i = tokenIndexAt(tokens, statement.offsetOf(ast.relation?.location));
  // Skip the (possibly qualified) table name and an inheritance star.
  i++;
  while (i + 1 < tokens.length && tokens[i].text === '.') i += 2;
  if (tokens[i]?.text === '*') i++;
  const ranges: SourceRange[] = [];
  let depth = 0;
  let first = -1;
  let last = -1;
  for (; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'comment') continue;
    if (t.kind === 'punct') {
      if (t.text === '(') depth++;
      else if (t.text === ')') depth--;
      else if ((t.text === ',' || t.text === ';') && depth === 0) {
        if (first >= 0) ranges.push(statement.rangeOf(tokens[first].start, tokens[last].end));
        first = -1;
        if (t.text === ';') break;
        continue;
      }
    }
    if (first < 0) first = i;
    last = i;
  }
  if (first >= 0) ranges.push(statement.rangeOf(tokens[first].start, tokens[last].end));
  const cmds = ast.cmds ?? [];
  return ranges.length === cmds.length ? ranges : undefined;
}

/** Range of the i-th ALTER TABLE subcommand, or the whole statement when it cannot be told apart. */
export function alterCommandRange(statement: Statement, index: number): SourceRange {
  return alterCommandRanges(statement)?.[index] ?? statement.range;
}
