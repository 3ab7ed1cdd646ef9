import * as os from 'node:os';
import * as path from 'node:path';

/** pglens's folder in the user's cache: $XDG_CACHE_HOME/pglens, else ~/.cache/pglens. */
export function cacheRoot(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'pglens');
}
