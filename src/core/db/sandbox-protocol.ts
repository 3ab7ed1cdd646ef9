import type { PglensErrorCode } from '../errors';
import type { ExplainOptions } from './connection';
import type { SandboxBuildOptions } from './sandbox-build';
import type { SandboxReport } from './sandbox-report';

/** Messages between EmbeddedConnection (parent) and the sandbox process (child), over Node IPC. */
export type ToSandbox =
  | { type: 'init'; options: SandboxBuildOptions }
  /** `single`: the extended protocol, one statement only (see Connection.queryOne). */
  | { type: 'query'; id: number; sql: string; params?: unknown[]; single?: boolean }
  | { type: 'explain'; id: number; sql: string; options: ExplainOptions }
  | { type: 'version'; id: number }
  | { type: 'close' };

export interface WireError {
  code: PglensErrorCode;
  message: string;
  hint?: string;
  position?: number;
  unverifiedFunctions?: string[];
}

export type FromSandbox =
  | { type: 'progress'; message: string }
  | { type: 'ready'; report: SandboxReport }
  /** After `close`: the database is closed; the process still removes its working copy and may finish a background copy before it exits. */
  | { type: 'closed' }
  | { type: 'init-failed'; error: WireError }
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; error: WireError };
