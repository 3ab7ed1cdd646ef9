import type { Connection } from '../core/db/connection';

/**
 * While `work` runs on `conn`, Ctrl-C (SIGINT) or SIGTERM cancels the running statement on
 * the server (pg_cancel_backend from a side connection; the sandbox ends its process) and
 * closes the connection before pglens exits: without it the statement would go on running
 * on the server until its timeout.
 */
export async function cancelOnInterrupt<T>(conn: Connection, stderr: (text: string) => void, work: () => Promise<T>): Promise<T> {
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    stderr(`pglens: ${signal === 'SIGINT' ? 'interrupted' : 'terminated'} — cancelling the statement on ${conn.label}\n`);
    const code = signal === 'SIGINT' ? 130 : 143;
    void conn
      .cancel()
      .catch(() => undefined)
      .then(() => conn.close().catch(() => undefined))
      .finally(() => process.exit(code));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
