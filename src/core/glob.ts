/**
 * Glob matching for config paths (`exclude`, `migrations[].path`): `**` any number of
 * folders, `*` and `?` within one name, `{a,b}` alternatives. Paths use '/'.
 */
const cache = new Map<string, RegExp>();

export function globToRegExp(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (re) return re;
  const glob = pattern.replace(/\\/g, '/').replace(/^\.\//, '');
  let out = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        i++;
        if (glob[i + 1] === '/') {
          i++;
          out += '(?:.*/)?';
        } else out += '.*';
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '{') {
      braces++;
      out += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      out += ')';
    } else if (c === ',' && braces > 0) out += '|';
    else out += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  re = new RegExp(`^${out}$`);
  cache.set(pattern, re);
  return re;
}

/** True when `path` (relative, '/'-separated) or one of its parent folders matches the glob. */
export function matchesGlob(path: string, glob: string): boolean {
  const re = globToRegExp(glob.replace(/^\.\//, '').replace(/\/+$/, ''));
  if (re.test(path)) return true;
  let slash = path.lastIndexOf('/');
  while (slash > 0) {
    if (re.test(path.slice(0, slash))) return true;
    slash = path.lastIndexOf('/', slash - 1);
  }
  return false;
}
