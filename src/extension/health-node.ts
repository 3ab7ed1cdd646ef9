/**
 * The nodes of the `pglens.health` view, and what its commands (health-commands.ts) need of the
 * view's provider (health-tree.ts). Both files import this one, so neither imports the other's
 * types: the provider registers the commands, the commands see the provider through
 * HealthCommandSource.
 */
import type * as vscode from 'vscode';
import type { CatalogIndex, CatalogTable } from '../core/health/catalog';
import type { HealthFinding, HealthRuleId } from '../core/health/health-finding';
import type { SlowQuery } from '../core/health/slow-queries';
import type { CheckResult } from '../core/health/database/database-health';
import type { NPlusOneCandidate } from '../core/health/n-plus-one-candidates';
import type { CodeLink } from '../core/app-code/query-senders';
import type { DatabaseFinding } from '../core/health/database/check';
import type { ConnectionProvider } from './connection-provider';

/** One node of the `pglens.health` view. */
export type HealthNode =
  | { kind: 'message'; id: string; label: string; detail?: string; icon: string; command?: vscode.Command }
  | { kind: 'connection' }
  | { kind: 'findings' }
  | { kind: 'rule'; rule: HealthRuleId }
  | { kind: 'finding'; finding: HealthFinding }
  | { kind: 'slow' }
  | { kind: 'health' }
  | { kind: 'check'; check: CheckResult }
  | { kind: 'dbFinding'; finding: DatabaseFinding }
  | { kind: 'slowQuery'; query: SlowQuery; rank: number }
  | { kind: 'nPlusOne' }
  | { kind: 'nPlusOneCandidate'; candidate: NPlusOneCandidate; rank: number }
  | { kind: 'codeLink'; link: CodeLink; folder: string; rank: number; index: number }
  | { kind: 'schema'; schema: string }
  | { kind: 'table'; table: CatalogTable }
  | { kind: 'index'; index: CatalogIndex };

/** What the view's commands read from and ask of its provider (HealthTreeProvider). */
export interface HealthCommandSource {
  /** Reads the database again and redraws the view. */
  refresh(): void;
  /** The connection the view reads. */
  connection(): ReturnType<ConnectionProvider['getConnection']>;
  /** The findings of the last refresh. */
  findings(): HealthFinding[];
  /** The catalog index a finding is about, when it is about one. */
  indexOf(f: HealthFinding): CatalogIndex | undefined;
}
