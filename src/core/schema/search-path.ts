import type { Node } from '../sql/ast';
import type { Statement } from '../sql/statement';

/**
 * The first schema of search_path (where unqualified names live) as statements change it, the
 * way Postgres scopes the setting to transactions:
 * - `SET search_path` (and `set_config('search_path', …, false)`) lasts for the session, unless
 *   the transaction it ran in rolls back;
 * - `SET LOCAL search_path` (and `set_config(…, true)`) lasts until the transaction ends
 *   (COMMIT or ROLLBACK); outside a transaction it does nothing;
 * - `ROLLBACK` undoes every SET of the transaction, `ROLLBACK TO SAVEPOINT` those since the savepoint.
 * `RESET search_path` / `SET search_path TO DEFAULT` go back to `public` (the default `"$user", public`).
 * A value the model cannot use (`"$user"` first, an empty path, not a literal) changes nothing.
 */
export interface SearchPathState {
  /** First schema of search_path: where unqualified names live. */
  defaultSchema: string;
  /** The transaction open around the statements, when one has changed search_path or was begun explicitly. */
  transaction?: SearchPathTransaction;
}

export interface SearchPathTransaction {
  /** Begun by BEGIN / START TRANSACTION in the SQL; false for the runner's transaction around a part. */
  explicit: boolean;
  /** The runner's transaction, assumed for want of knowing (no `runnerTransaction`): a BEGIN of the SQL says there is none. */
  assumed?: boolean;
  /** The schema when the transaction began: ROLLBACK restores it. */
  atBegin: string;
  /** What COMMIT leaves: the last session-level SET's value (SET LOCAL ends with the transaction). */
  atCommit: string;
  savepoints: Array<{ name: string; schema: string; atCommit: string }>;
}

export interface SearchPathOptions {
  /**
   * Whether the statement runs inside a transaction the runner opened around the part (not an
   * explicit BEGIN of the SQL): there a SET LOCAL lasts until the part ends or a COMMIT; outside
   * every transaction it does nothing. Unknown (absent): as if the runner opened one.
   */
  runnerTransaction?: () => boolean;
}

/** The default search_path's first schema that exists: `"$user", public` → public. */
export const DEFAULT_SCHEMA = 'public';

/** Follows one statement; true when it is one that can change search_path or end a transaction. */
export function followSearchPath(state: SearchPathState, statement: Statement, options: SearchPathOptions = {}): boolean {
  const ast = statement.ast;
  if (!ast) return false;
  if (ast.TransactionStmt) {
    transactionStatement(state, ast.TransactionStmt);
    return true;
  }
  if (ast.VariableSetStmt) {
    const set: Node = ast.VariableSetStmt;
    if (set.kind === 'VAR_RESET_ALL') {
      setSchema(state, DEFAULT_SCHEMA, false, options);
      return true;
    }
    if (set.name !== 'search_path') return false;
    if (set.kind === 'VAR_SET_VALUE') {
      // Each item is one name as written (a string item is quoted as an identifier: `'"x"'` is read as x here).
      const items = (set.args ?? []).map((a: Node) => (typeof a?.A_Const?.sval?.sval === 'string' ? (a.A_Const.sval.sval as string).replace(/^"|"$/g, '') : undefined));
      const schema = firstSchema(items);
      if (schema !== undefined) setSchema(state, schema, Boolean(set.is_local), options);
    } else if (set.kind === 'VAR_SET_DEFAULT' || set.kind === 'VAR_RESET') {
      setSchema(state, DEFAULT_SCHEMA, Boolean(set.is_local), options);
    }
    return true;
  }
  if (ast.SelectStmt) {
    const calls = setConfigCalls(ast.SelectStmt);
    for (const call of calls) setSchema(state, call.schema, call.local, options);
    return calls.length > 0;
  }
  return false;
}

/**
 * The part ends (the file, the changeset): the runner's transaction around it commits, so a SET
 * LOCAL in it ends; an explicit BEGIN left open is committed with it.
 */
export function endSearchPathPart(state: SearchPathState): void {
  if (state.transaction) endTransaction(state, true);
}

function setSchema(state: SearchPathState, schema: string, local: boolean, options: SearchPathOptions): void {
  if (!state.transaction) {
    // Outside an explicit BEGIN: the runner's transaction around the part, if any.
    const inRunnerTransaction = options.runnerTransaction?.() ?? true;
    // SET LOCAL outside a transaction block only warns.
    if (!inRunnerTransaction && local) return;
    if (inRunnerTransaction) {
      state.transaction = { explicit: false, atBegin: state.defaultSchema, atCommit: state.defaultSchema, savepoints: [] };
      if (!options.runnerTransaction) state.transaction.assumed = true;
    }
  }
  state.defaultSchema = schema;
  if (!local && state.transaction) state.transaction.atCommit = schema;
}

function transactionStatement(state: SearchPathState, node: Node): void {
  const tx = state.transaction;
  switch (node.kind) {
    case 'TRANS_STMT_BEGIN':
    case 'TRANS_STMT_START':
      // Inside the runner's transaction a BEGIN only warns; its COMMIT ends the runner's transaction.
      if (tx && !tx.assumed) {
        tx.explicit = true;
        break;
      }
      // A runner's transaction only assumed: SQL with its own BEGIN runs without one, what it set before stays.
      if (tx) endTransaction(state, true);
      state.transaction = { explicit: true, atBegin: state.defaultSchema, atCommit: state.defaultSchema, savepoints: [] };
      break;
    case 'TRANS_STMT_COMMIT':
    case 'TRANS_STMT_PREPARE':
      if (tx) endTransaction(state, true);
      break;
    case 'TRANS_STMT_ROLLBACK':
      if (tx) endTransaction(state, false);
      break;
    case 'TRANS_STMT_SAVEPOINT':
      if (tx && typeof node.savepoint_name === 'string') tx.savepoints.push({ name: node.savepoint_name, schema: state.defaultSchema, atCommit: tx.atCommit });
      break;
    case 'TRANS_STMT_RELEASE':
    case 'TRANS_STMT_ROLLBACK_TO': {
      if (!tx) break;
      const at = lastIndexOf(tx.savepoints, node.savepoint_name);
      if (at < 0) break;
      if (node.kind === 'TRANS_STMT_RELEASE') {
        tx.savepoints.length = at;
      } else {
        // The savepoint stays; everything set since it is undone.
        const sp = tx.savepoints[at];
        tx.savepoints.length = at + 1;
        state.defaultSchema = sp.schema;
        tx.atCommit = sp.atCommit;
      }
      break;
    }
    default:
      break;
  }
}

function endTransaction(state: SearchPathState, commit: boolean): void {
  const tx = state.transaction!;
  state.defaultSchema = commit ? tx.atCommit : tx.atBegin;
  state.transaction = undefined;
}

function lastIndexOf(savepoints: SearchPathTransaction['savepoints'], name: unknown): number {
  for (let i = savepoints.length - 1; i >= 0; i--) if (savepoints[i].name === name) return i;
  return -1;
}

/** The schema a search_path list puts first, when the model can use it (not `$user`, not empty). */
function firstSchema(items: Array<string | undefined>): string | undefined {
  const first = items[0]?.trim();
  if (first === undefined || first === '' || first === '$user') return undefined;
  return first;
}

/** A search_path string as `set_config` takes it (`app, public`, `"My App", public`): its items, quotes removed. */
function pathItems(value: string): string[] {
  const items: string[] = [];
  const re = /\s*(?:"((?:[^"]|"")*)"|([^,]*?))\s*(?:,|$)/y;
  let m: RegExpExecArray | null;
  while (re.lastIndex < value.length && (m = re.exec(value))) {
    if (m[1] !== undefined) items.push(m[1].replace(/""/g, '"'));
    else items.push(m[2].toLowerCase());
    if (m[0].length === 0) break;
  }
  return items;
}

/**
 * `SELECT set_config('search_path', 'app', false)` (also `pg_catalog.set_config`, several in one
 * target list): each call with literal arguments, in order. Only a SELECT with no FROM, WHERE…
 * runs its targets exactly once.
 */
function setConfigCalls(select: Node): Array<{ schema: string; local: boolean }> {
  if (select.fromClause || select.whereClause || select.havingClause || select.groupClause || (select.op ?? 'SETOP_NONE') !== 'SETOP_NONE' || select.withClause) return [];
  const out: Array<{ schema: string; local: boolean }> = [];
  for (const target of (select.targetList ?? []) as Node[]) {
    const call: Node | undefined = target.ResTarget?.val?.FuncCall;
    if (!call) continue;
    const names = ((call.funcname ?? []) as Node[]).map((n) => n.String?.sval);
    const qualified = names.length === 2 && names[0] === 'pg_catalog';
    if (!(names.length === 1 || qualified) || names[names.length - 1] !== 'set_config') continue;
    const args = (call.args ?? []) as Node[];
    if (args.length !== 3) continue;
    const name = literal(args[0]);
    const value = literal(args[1]);
    const local = booleanLiteral(args[2]);
    if (typeof name !== 'string' || name.trim().toLowerCase() !== 'search_path' || typeof value !== 'string' || local === undefined) continue;
    const schema = firstSchema(pathItems(value));
    if (schema !== undefined) out.push({ schema, local });
  }
  return out;
}

/** A constant argument, through casts (`'x'::text`): its string, boolean, or undefined. */
function literal(node: Node | undefined): string | boolean | undefined {
  if (node?.TypeCast) return literal(node.TypeCast.arg);
  const c: Node | undefined = node?.A_Const;
  if (!c || c.isnull) return undefined;
  if (typeof c.sval?.sval === 'string') return c.sval.sval;
  if (c.boolval) return c.boolval.boolval === true;
  return undefined;
}

function booleanLiteral(node: Node | undefined): boolean | undefined {
  const v = literal(node);
  if (typeof v === 'boolean') return v;
  if (typeof v !== 'string') return undefined;
  if (/^\s*(t|tr|tru|true|y|ye|yes|on|1)\s*$/i.test(v)) return true;
  if (/^\s*(f|fa|fal|fals|false|n|no|of|off|0)\s*$/i.test(v)) return false;
  return undefined;
}
