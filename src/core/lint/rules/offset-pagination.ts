import type { Rule } from '../rule';
import { ruleOption, type RuleOptionSpecs } from '../option-specs';
import { firstLocation, tokenIndexAt } from '../../sql/ast';
import { nodeOf } from '../../sql/nodes';
import { forEachSelect, integerLiteral } from './support/query-walk';

/** offset-pagination: `OFFSET` of a literal ≥ `threshold` (default 1000) or of a parameter, in any SELECT. */
export const DEFAULT_OFFSET_THRESHOLD = 1000;

const OPTIONS = {
  /** An OFFSET of a literal at least this large is flagged (an OFFSET of a parameter always is). */
  threshold: { type: 'number', minimum: 0, integer: true, default: DEFAULT_OFFSET_THRESHOLD },
} as const satisfies RuleOptionSpecs;

export const rule: Rule = {
  id: 'offset-pagination',
  kind: 'statement',
  defaultSeverity: 'info',
  options: OPTIONS,
  docs: {
    description: 'Deep OFFSET pagination produces and throws away every skipped row: each page is slower than the one before.',
  },
  check(context) {
    const { statement } = context;
    const threshold = ruleOption(context.options, 'threshold', OPTIONS.threshold);
    forEachSelect(statement.ast, (select) => {
      const offset = select.limitOffset;
      if (!offset) return;
      const cast = nodeOf(offset, 'TypeCast');
      const target = cast ? cast.arg : offset;
      const value = integerLiteral(offset);
      const param = target?.ParamRef !== undefined;
      if (!param && (value === undefined || value < threshold)) return;
      const tokens = statement.tokens();
      const at = tokenIndexAt(tokens, statement.offsetOf(firstLocation(offset)));
      let keyword = at - 1;
      while (keyword > 0 && tokens[keyword].kind === 'comment') keyword--;
      const start = tokens[keyword]?.word === 'OFFSET' ? tokens[keyword].start : tokens[at]?.start;
      let end = tokens[at]?.end ?? statement.range.endOffset;
      for (let k = at + 1; k < tokens.length; k++) {
        if (tokens[k].text === '::' && tokens[k + 1]) end = tokens[++k].end;
        else if (tokens[k].word === 'ROWS' || tokens[k].word === 'ROW') end = tokens[k].end;
        else break;
      }
      const skipped = param ? `OFFSET ${tokens[at]?.text ?? 'parameter'} (a parameter, so it grows page after page)` : `OFFSET ${value}`;
      context.report({
        message:
          `${skipped} makes Postgres produce and throw away ${param ? 'every skipped row' : `${value!.toLocaleString('en-US')} rows`} ` +
          'before returning the page, so each later page is slower than the one before (and rows shift between pages as data changes); ' +
          'use keyset pagination: WHERE (sort_key, id) > ($last_key, $last_id) ORDER BY sort_key, id LIMIT n',
        range: start !== undefined ? statement.rangeOf(start, end) : statement.locate(firstLocation(offset)),
      });
    });
  },
};
