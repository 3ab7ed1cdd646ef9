import type { MigrationFolder } from './folder';
import { compareCodePoints, joinRel } from './folder';
import { sliceOf, type Migration } from './migration';

export const SQITCH_PLAN = 'sqitch.plan';

interface Plan {
  dir: string;
  project: string;
  /** Projects this plan's changes depend on (`[other:change]`). */
  requires: Set<string>;
  changes: Array<{ name: string; file: string }>;
}

/**
 * sqitch: the changes of `sqitch.plan` in plan order, `deploy/<change>.sql` up and
 * `revert/<change>.sql` down (a reworked change's earlier version is `<change>@<next tag>.sql`).
 * sqitch adds no transaction: scripts run through psql statement by statement and open
 * their own BEGIN/COMMIT. Plans of other projects in the folder that this one depends on
 * (`[project:change]`) go first.
 */
export function readSqitch(folder: MigrationFolder): Migration[] {
  // A plan sits above its deploy/ folder; sub-projects (chef's baseline/) have their own.
  const planDirs = new Set(['', ...folder.files.map((f) => /^(?:(.*)\/)?deploy\//.exec(f)?.[1]).filter((d): d is string => d !== undefined)]);
  const plans = [...planDirs]
    .filter((d) => folder.readOptional(joinRel(d, SQITCH_PLAN)) !== undefined)
    .map((d) => parsePlan(d, folder.read(joinRel(d, SQITCH_PLAN))));
  const ordered: Plan[] = [];
  const place = (p: Plan, path: Set<Plan>): void => {
    if (ordered.includes(p) || path.has(p)) return;
    path.add(p);
    for (const dep of plans.filter((q) => p.requires.has(q.project))) place(dep, path);
    ordered.push(p);
  };
  for (const p of [...plans].sort((a, b) => compareCodePoints(a.dir, b.dir))) place(p, new Set());
  return ordered.flatMap((p) =>
    p.changes.flatMap(({ name, file }) => {
      const deploy = joinRel(p.dir, `deploy/${file}`);
      const up = folder.readOptional(deploy);
      if (up === undefined) return [];
      const revert = joinRel(p.dir, `revert/${file}`);
      const down = folder.readOptional(revert);
      return [{
        id: p.project ? `${p.project}:${name}` : name,
        up: sliceOf(folder.path(deploy), up),
        down: down === undefined ? undefined : sliceOf(folder.path(revert), down),
        transaction: 'none',
        downTransaction: down === undefined ? undefined : 'none',
      } satisfies Migration];
    }),
  );
}

function parsePlan(dir: string, text: string): Plan {
  const plan: Plan = { dir, project: '', requires: new Set(), changes: [] };
  const entries: Array<{ name: string } | { tag: string }> = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\s+#.*$/, '').trim();
    if (!line || line.startsWith('#')) continue;
    const pragma = /^%project=(\S+)/.exec(line);
    if (pragma) plan.project = pragma[1];
    if (line.startsWith('%')) continue;
    if (line.startsWith('@')) {
      entries.push({ tag: line.slice(1).split(/\s/)[0] });
      continue;
    }
    const m = /^[+-]?\s*([^\s[]+)\s*(?:\[([^\]]*)\])?/.exec(line);
    if (!m || line.startsWith('-')) continue;
    entries.push({ name: m[1] });
    for (const dep of (m[2] ?? '').split(/\s+/)) {
      const cross = /^!?([^:\s]+):/.exec(dep);
      if (cross) plan.requires.add(cross[1]);
    }
  }
  entries.forEach((e, i) => {
    if (!('name' in e)) return;
    const reworkedLater = entries.slice(i + 1).some((x) => 'name' in x && x.name === e.name);
    const nextTag = reworkedLater ? entries.slice(i + 1).find((x): x is { tag: string } => 'tag' in x)?.tag : undefined;
    plan.changes.push({ name: e.name, file: nextTag ? `${e.name}@${nextTag}.sql` : `${e.name}.sql` });
  });
  return plan;
}
