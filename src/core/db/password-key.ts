/** The server a saved password is for: host, port, database and user as the connection gives them. */
export interface PasswordTarget {
  host: string;
  port: number;
  database: string;
  user: string;
}

/**
 * The SecretStorage key of a password: the server it was typed for, never the connection's name
 * (a workspace may define `prod` pointing at its own host, and must not be sent prod's password).
 * Host names are case-insensitive. Keys of older versions (`pglens.password.<name>`) are not
 * read: the user is asked again.
 */
export function passwordSecretKey(target: PasswordTarget): string {
  return `pglens.password:${JSON.stringify([target.host.toLowerCase(), target.port, target.database, target.user])}`;
}
