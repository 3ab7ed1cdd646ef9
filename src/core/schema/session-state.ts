import type { Node } from '../sql/ast';
import type { Statement } from '../sql/statement';
import type { TransactionMode } from '../migrations/migration';
import type { SearchPathState } from './search-path';

/** Where a statement moved the transaction: a BEGIN, the COMMIT/ROLLBACK ending it, or one ending the runner's transaction around the part. */
export type TransactionBoundary = 'begin' | 'end' | 'runner-end';

export interface SessionStateOptions {
  /** How the runner executes the part; absent when unknown (the config decides through `partTransactional`). */
  transaction?: TransactionMode;
  /** Whether the runner wraps the part in a transaction (asked on first use: the config's path matching is not free). */
  partTransactional: () => boolean;
  /** "Runs inside a transaction" forced for every statement (LintOptions.inTransaction); absent when not forced. */
  forcedTransaction?: boolean;
  /** The replay's search_path, which lasts across parts (search-path.ts follows it). */
  searchPath: SearchPathState;
}

/**
 * What the statements of one migration part have changed in the session they run in, as
 * Postgres scopes each setting: the transaction (the runner's around the part, an explicit
 * BEGIN … COMMIT), lock_timeout and TimeZone, followed here part by part; search_path, which
 * the schema replay follows across parts (it reads `runnerTransactionOpen` to scope a SET LOCAL).
 * The lint engine calls `follow` for each statement once the rules have seen it, so a rule
 * sees the session as the statements before it left it.
 */
export class SessionState {
  private explicit = false;
  /** A COMMIT outside an explicit BEGIN ended the runner's transaction (drizzle migrations do it to run CONCURRENTLY): what follows autocommits. */
  private runnerEnded = false;
  private lockTimeout = false;
  /** What lock_timeout reverts to at COMMIT (SET LOCAL ends) and ROLLBACK (every SET in the transaction is undone). */
  private lockTimeoutAtCommit = false;
  private lockTimeoutAtBegin = false;
  private timeZoneSession: string | undefined;
  private timeZoneLocal: string | undefined;

  constructor(private readonly options: SessionStateOptions) {}

  /** Inside an explicit BEGIN … COMMIT of the SQL. */
  get explicitTransaction(): boolean {
    return this.explicit;
  }

  /** Inside the transaction the runner opened around the part (none, or ended by a COMMIT of the SQL). */
  runnerTransactionOpen(): boolean {
    return this.options.partTransactional() && !this.runnerEnded;
  }

  /** Inside a transaction: the runner's or an explicit one. */
  get inTransaction(): boolean {
    return this.runnerTransactionOpen() || this.explicit;
  }

  /** A SET lock_timeout (other than 0) is in effect. */
  get lockTimeoutSet(): boolean {
    return this.lockTimeout;
  }

  /** The TimeZone a SET gave the session: undefined when none did (the server's or role's setting applies, which pglens cannot see) or it was RESET. */
  get timeZone(): string | undefined {
    return this.timeZoneLocal ?? this.timeZoneSession;
  }

  /** First schema of search_path: where unqualified names live. */
  get searchPath(): string {
    return this.options.searchPath.defaultSchema;
  }

  /** Follows what one statement changes (not search_path: the replay does); returns the transaction boundary it is, if any. */
  follow(statement: Statement): TransactionBoundary | undefined {
    const boundary = this.followTransaction(statement);
    this.followLockTimeout(statement);
    this.followTimeZone(statement);
    return boundary;
  }

  private followTransaction(statement: Statement): TransactionBoundary | undefined {
    const tx = statement.ast?.TransactionStmt?.kind as string | undefined;
    const transaction = this.options.transaction;
    if ((tx === 'TRANS_STMT_BEGIN' || tx === 'TRANS_STMT_START') && !this.explicit) {
      this.explicit = true;
      this.lockTimeoutAtBegin = this.lockTimeoutAtCommit = this.lockTimeout;
      return 'begin';
    }
    if ((tx === 'TRANS_STMT_COMMIT' || tx === 'TRANS_STMT_ROLLBACK') && !this.explicit && !this.runnerEnded && transaction && transaction !== 'none') {
      this.runnerEnded = true;
      return 'runner-end';
    }
    if ((tx === 'TRANS_STMT_COMMIT' || tx === 'TRANS_STMT_ROLLBACK') && this.explicit) {
      this.explicit = false;
      this.lockTimeout = tx === 'TRANS_STMT_COMMIT' ? this.lockTimeoutAtCommit : this.lockTimeoutAtBegin;
      return 'end';
    }
    return undefined;
  }

  private followLockTimeout(statement: Statement): void {
    const change = lockTimeoutChange(statement);
    // SET LOCAL outside a transaction block does nothing (Postgres warns): in an autocommit part it protects nothing.
    const noEffect = change?.local && !this.explicit && this.options.transaction === 'none' && this.options.forcedTransaction === undefined;
    if (!change || noEffect) return;
    this.lockTimeout = change.set;
    // A session SET outlives COMMIT; SET LOCAL (and set_config(…, true)) ends with the explicit transaction.
    if (!change.local) this.lockTimeoutAtCommit = this.lockTimeout;
  }

  /** SET LOCAL TimeZone lasts until the next COMMIT or ROLLBACK; a session SET (or RESET ALL) replaces both. */
  private followTimeZone(statement: Statement): void {
    const tx = statement.ast?.TransactionStmt?.kind as string | undefined;
    if (tx === 'TRANS_STMT_COMMIT' || tx === 'TRANS_STMT_ROLLBACK') this.timeZoneLocal = undefined;
    const set: Node | undefined = statement.ast?.VariableSetStmt;
    if (!set || (set.name !== 'timezone' && set.kind !== 'VAR_RESET_ALL')) return;
    const value = set.kind === 'VAR_SET_VALUE' ? timeZoneValue(set.args?.[0]) : undefined;
    if (set.is_local) this.timeZoneLocal = value;
    else {
      this.timeZoneSession = value;
      this.timeZoneLocal = undefined;
    }
  }
}

/** `SET [LOCAL] lock_timeout …`, `RESET lock_timeout`, or `SELECT set_config('lock_timeout', '5s', is_local)`. */
function lockTimeoutChange(statement: Statement): { set: boolean; local: boolean } | undefined {
  const set = statement.ast?.VariableSetStmt;
  if (set) {
    if (set.name !== 'lock_timeout') return undefined;
    return { set: set.kind === 'VAR_SET_VALUE' && !isZeroSetting(set.args?.[0]), local: Boolean(set.is_local) };
  }
  if (statement.kind !== 'SelectStmt' || !/set_config/i.test(statement.text)) return undefined;
  const m = /set_config\s*\(\s*'lock_timeout'\s*,\s*'([^']*)'\s*,\s*(\w+)\s*\)/i.exec(statement.text);
  if (!m) return undefined;
  const zero = /^\s*0+(\.0*)?\s*(us|ms|s|min|h|d)?\s*$/i.test(m[1]);
  return { set: !zero, local: /^(true|t|on|yes|1)$/i.test(m[2]) };
}

function isZeroSetting(arg: Node | undefined): boolean {
  const c = arg?.A_Const;
  if (!c) return false;
  if (c.ival) return !c.ival.ival;
  if (c.fval) return Number(c.fval.fval) === 0;
  // '0', '0s', '0ms', '0 min': any unit of zero disables the timeout.
  return /^\s*0+(\.0*)?\s*(us|ms|s|min|h|d)?\s*$/i.test(c.sval?.sval ?? '');
}

function timeZoneValue(arg: Node | undefined): string | undefined {
  const c: Node | undefined = arg?.A_Const;
  if (!c) return undefined;
  if (c.ival) return String(c.ival.ival ?? 0);
  if (c.fval) return String(c.fval.fval);
  return typeof c.sval?.sval === 'string' ? c.sval.sval : undefined;
}
