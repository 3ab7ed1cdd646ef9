import { checkConnectionUrl } from '../../db/connection-url';
import { redactSecrets } from '../../db/redact';
import { isPostgresUrl } from '../../db/resolve';
import { PglensError } from '../../errors';

/**
 * `--db`: a postgresql:// URL, else a one-line refusal (an empty value, another database's URL).
 * `source` names where it came from in the message.
 */
export function checkServerUrl(url: string, source = '--db'): void {
  if (url.trim() === '') {
    throw new PglensError('bad-input', `${source} is empty`, 'pass --db postgresql://user@host:5432/postgres (a disposable server), or leave --db out to use the embedded PGlite');
  }
  if (!isPostgresUrl(url)) {
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url.trim())?.[1];
    throw new PglensError(
      'bad-input',
      `${source} must be a PostgreSQL URL (postgresql:// or postgres://), got ${scheme ? `a ${scheme}: URL` : 'no URL'} (${redactSecrets(url)})`,
      'pglens verifies migrations on PostgreSQL only: pass --db postgresql://user@host:5432/postgres, or leave --db out to use the embedded PGlite',
    );
  }
  checkConnectionUrl(url, source);
}
