/**
 * Columns a plan condition compares ("((o.customer_id = 42) AND (o.created_at > $1))"), so a
 * finding can name the index that would serve it. Only ANDed comparisons of one of the scan's
 * own columns with a constant, parameter or another table's column count; an OR at the top
 * defeats a single b-tree, so it yields nothing.
 */
export interface ConditionColumns {
  /** Columns compared with `=` or `= ANY (…)`, in order of appearance. */
  equality: string[];
  /** Columns compared with `<`, `<=`, `>`, `>=`. */
  range: string[];
}

const IDENT = '(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)';
const COLUMN = new RegExp(`^(?:(${IDENT})\\.)?(${IDENT})$`);
const OPERATORS = ['<=', '>=', '<>', '!=', '=', '<', '>'];

function stripParens(s: string): string {
  let t = s.trim();
  while (t.startsWith('(') && t.endsWith(')') && balanced(t.slice(1, -1))) t = t.slice(1, -1).trim();
  return t;
}

function balanced(s: string): boolean {
  let depth = 0;
  let quote = '';
  for (const c of s) {
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

/** Splits at a top-level keyword (" AND ", " OR "), outside parentheses and quotes. */
function splitKeyword(s: string, keyword: string): string[] {
  const marker = '\u0000';
  let out = '';
  let depth = 0;
  let quote = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && s.startsWith(keyword, i)) {
      out += marker;
      i += keyword.length - 1;
      continue;
    }
    out += c;
  }
  return out.split(marker);
}

/** `(status)::text` → `status`; undefined when the side is not a plain column. */
function columnOf(side: string): { qualifier?: string; column: string } | undefined {
  let t = stripParens(side);
  const cast = t.indexOf('::');
  if (cast >= 0 && !t.startsWith("'")) t = stripParens(t.slice(0, cast));
  const m = COLUMN.exec(t);
  if (!m) return undefined;
  return { qualifier: m[1]?.replace(/^"|"$/g, ''), column: m[2] };
}

/** Calls `at` with the index of each blank of `cond` outside quotes and parentheses, until it returns a value. */
function atTopLevelBlank<T>(cond: string, at: (i: number) => T | undefined): T | undefined {
  let depth = 0;
  let quote = '';
  for (let i = 0; i < cond.length; i++) {
    const c = cond[i];
    if (quote) {
      if (c === quote) quote = '';
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && c === ' ') {
      const found = at(i);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** Top-level comparison operator of `cond`: [lhs, op, rhs]. */
function comparison(cond: string): [string, string, string] | undefined {
  return atTopLevelBlank(cond, (i): [string, string, string] | undefined => {
    for (const op of OPERATORS) {
      if (cond.startsWith(` ${op} `, i)) return [cond.slice(0, i), op, cond.slice(i + op.length + 2)];
    }
    return undefined;
  });
}

/** Columns of the scan known by `names` (its alias and relation name) that `condition` compares. */
export function conditionColumns(condition: string | undefined, names: (string | undefined)[]): ConditionColumns {
  const result: ConditionColumns = { equality: [], range: [] };
  if (!condition) return result;
  const own = new Set(names.filter((n): n is string => n !== undefined));
  const body = stripParens(condition);
  if (splitKeyword(body, ' OR ').length > 1) return result;
  for (const part of splitKeyword(body, ' AND ')) {
    const cmp = comparison(stripParens(part));
    if (!cmp) continue;
    const [lhs, op, rhs] = cmp;
    const left = columnOf(lhs);
    const right = columnOf(rhs.replace(/^ANY \(/, '('));
    const isOwn = (c: typeof left) => c !== undefined && (c.qualifier === undefined || own.has(c.qualifier));
    let col: string | undefined;
    if (isOwn(left) && !isOwn(right)) col = left?.column;
    else if (isOwn(right) && !isOwn(left)) col = right?.column;
    if (col === undefined || op === '<>' || op === '!=') continue;
    const list = op === '=' ? result.equality : result.range;
    if (!list.includes(col)) list.push(col);
  }
  result.range = result.range.filter((c) => !result.equality.includes(c));
  return result;
}

/** The index key for a condition: equality columns first, then one range column. */
export function indexKey(...conditions: ConditionColumns[]): string[] {
  const key: string[] = [];
  for (const c of conditions) for (const col of c.equality) if (!key.includes(col)) key.push(col);
  for (const c of conditions) {
    const range = c.range.find((col) => !key.includes(col));
    if (range) {
      key.push(range);
      break;
    }
  }
  return key;
}

/** Words EXPLAIN prints unquoted that are values, not columns. */
const CONSTANT_WORDS = new Set(['true', 'false', 'null', 'current_date', 'current_time', 'current_timestamp', 'localtime', 'localtimestamp', 'current_user', 'session_user', 'current_role', 'user']);

/** A top-level binary operator (`=`, `~~`, `@>`, `IS NOT`…) splits `cond` into its operands. */
function operands(cond: string): string[] {
  const isNull = /^(.*) IS (?:NOT )?(?:NULL|TRUE|FALSE|DISTINCT FROM .*)$/s.exec(cond);
  if (isNull) return [isNull[1]];
  const not = /^NOT (.*)$/s.exec(cond);
  if (not) return [not[1]];
  const split = atTopLevelBlank(cond, (i) => {
    const op = /^ ([~!@#%^&*+\-<>=|?/]+) /.exec(cond.slice(i));
    return op ? [cond.slice(0, i), cond.slice(i + op[0].length).replace(/^(?:ANY|ALL) \(/, '(')] : undefined;
  });
  return split ?? [cond];
}

/**
 * Every column of the scan (known by `names`) that an ANDed predicate of `condition` tests on
 * its own — `=`, ranges, `IS [NOT] NULL`, `LIKE` (`~~`), `= ANY (…)`, a boolean column — in
 * order of appearance: the columns whose selectivities the planner multiplies as if they were
 * independent. A top-level OR yields nothing; a predicate comparing two own columns is skipped.
 */
export function predicateColumns(condition: string | undefined, names: (string | undefined)[]): string[] {
  if (!condition) return [];
  const own = new Set(names.filter((n): n is string => n !== undefined));
  const body = stripParens(condition);
  if (splitKeyword(body, ' OR ').length > 1) return [];
  const out: string[] = [];
  for (const part of splitKeyword(body, ' AND ')) {
    const found = operands(stripParens(part))
      .map((side) => columnOf(side))
      .filter((c) => c !== undefined && (c.qualifier === undefined ? !CONSTANT_WORDS.has(c.column.toLowerCase()) : own.has(c.qualifier)));
    if (found.length !== 1) continue;
    const col = (found[0] as { column: string }).column;
    if (!out.includes(col)) out.push(col);
  }
  return out;
}
