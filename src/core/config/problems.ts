import { PglensError } from '../errors';

/** A config problem: names the file and the key's path inside it (`plan.seqScanFilterMinRows`, `rules.x[1].case`). */
export function configProblem(file: string, key: string, problem: string, reference = 'schemas/pglens-config.schema.json'): PglensError {
  return new PglensError('bad-input', `${file}: "${key}" ${problem}`, `fix "${key}" in ${file} (see ${reference})`);
}

/** A value from a config file as a problem shows it: JSON, but numbers JSON cannot write (1e400 reads as Infinity) as they are. */
export function shownValue(value: unknown): string {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : (JSON.stringify(value) ?? String(value));
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Edit distance of two short keys (insertions, deletions, substitutions). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

/** The known key `key` is most likely a typo of: same letters in another case, or at most 2 edits away (1 for short keys). */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const sameCase = known.find((k) => k.toLowerCase() === lower);
  if (sameCase) return sameCase;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = distance(lower, k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return bestDistance <= (key.length <= 5 ? 1 : 2) ? best : undefined;
}
