/**
 * Node's warnings about TLS settings the user chose, printed by Node ahead of pglens's own
 * message (a connection error then came second, after a screen of text): the notice that
 * NODE_TLS_REJECT_UNAUTHORIZED=0 turns certificate checks off, and pg's notice that
 * sslmode=prefer|require|verify-ca verify certificates like verify-full until pg 9. Neither
 * asks anything of a pglens user. Every other warning prints as Node prints it.
 */
const QUIETED = [
  /^Setting the NODE_TLS_REJECT_UNAUTHORIZED environment variable to '0' /,
  /^SECURITY WARNING: The SSL modes 'prefer', 'require', and 'verify-ca' are treated as aliases for 'verify-full'\./,
];

/** Puts a filter in front of the process's warning listeners (Node's printer, unless --no-warnings). */
export function quietTlsWarnings(proc: NodeJS.Process = process): void {
  const listeners = proc.listeners('warning');
  proc.removeAllListeners('warning');
  proc.on('warning', (warning: Error) => {
    if (QUIETED.some((re) => re.test(warning.message))) return;
    for (const listener of listeners) listener.call(proc, warning);
  });
}
