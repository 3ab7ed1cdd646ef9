/**
 * Errors a user can meet. Each names the cause and the next step; `hint` is the next step.
 * The CLI prints `message` (one line) and exits 2; the extension shows it with actions.
 */
export type PglensErrorCode =
  | 'connection-refused'
  | 'auth-failed'
  | 'unknown-database'
  | 'connection-failed'
  | 'syntax-error'
  | 'sql-error'
  | 'timeout'
  | 'cancelled'
  | 'refused'
  | 'bad-input'
  | 'sandbox-failed';

export class PglensError extends Error {
  constructor(
    readonly code: PglensErrorCode,
    message: string,
    readonly hint?: string,
    /** Character offset into the statement text, for syntax errors. */
    readonly position?: number,
    /**
     * For a refusal the user may overrule: the functions (`schema.name`) pglens could not
     * prove harmless. Allowing them (`--allow-functions`, the editor's "Run anyway") lifts it.
     */
    readonly unverifiedFunctions?: string[],
  ) {
    super(hint ? `${message} — ${hint}` : message);
    this.name = 'PglensError';
  }
}

export function isPglensError(e: unknown): e is PglensError {
  return e instanceof PglensError;
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
