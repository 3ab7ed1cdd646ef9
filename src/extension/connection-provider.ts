import type * as vscode from 'vscode';
import type { Connection } from '../core/db/connection';

/**
 * What editor features need from the connection manager: the active connection (opened
 * lazily; the embedded sandbox when none is configured) and a signal when it changes.
 * `getConnection` rejects with a PglensError in an untrusted workspace.
 */
export interface ConnectionProvider {
  getConnection(): Promise<Connection>;
  /** Label of the active connection without opening it. */
  readonly activeLabel: string;
  readonly onDidChangeConnection: vscode.Event<void>;
}
