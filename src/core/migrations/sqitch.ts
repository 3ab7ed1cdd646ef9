import type { MigrationFolder } from './folder';
import { compareCodePoints, joinRel } from './folder';
import { splitLines } from './lines';
import { sliceOf, type Migration } from './migration';

export const SQITCH_PLAN = 'sqitch.plan';

/** A plan line's timestamp and planner, as sqitch writes them (`2024-01-01T00:00:00Z Name <mail>`). */
const PLANNED = /^(?:[+-]?[^\s#%@:[\]]+(?:\s+\[[^\]]*\])?|@\S+)\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ(?:\s|$)/;

/** Whether a `sqitch.plan` is one: a `%project=` pragma, or change and tag lines. */
export function isSqitchPlan(text: string): boolean {
  return splitLines(text).some((l) => /^\s*%project=\S/.test(l) || PLANNED.test(l.trim()));
}

export interface Plan {
  dir: string;
  project: string;
  /** Projects this plan's changes depend on (`[other:change]`). */
  requires: Set<string>;
  /** The plan's tags, in order. */
  tags: string[];
  /**
   * The changes in plan order. `file` is the script name under deploy/ (revert/, verify/); a
   * change reworked later reads `<change>@<tag>.sql`, for the first of the tags between it and
   * its rework (`tags[rework.from]` … `tags[rework.to - 1]`) whose script exists.
   */
  changes: Array<{ name: string; file: string; rework?: { from: number; to: number } }>;
}

/**
 * sqitch: the changes of `sqitch.plan` in plan order, `deploy/<change>.sql` up and
 * `revert/<change>.sql` down (a reworked change's earlier version is `<change>@<tag>.sql`).
 * sqitch adds no transaction: scripts run through psql statement by statement and open
 * their own BEGIN/COMMIT. Plans of other projects in the folder that this one depends on
 * (`[project:change]`) go first.
 */
export function readSqitch(folder: MigrationFolder): Migration[] {
  return sqitchPlans(folder).flatMap((p) =>
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

/** The files (relative to the folder) the plans name: every change's deploy, revert and verify script, and the plans. */
export function sqitchReach(folder: MigrationFolder): Set<string> {
  const reach = new Set<string>();
  for (const p of sqitchPlans(folder)) {
    reach.add(joinRel(p.dir, SQITCH_PLAN));
    for (const c of p.changes) for (const kind of ['deploy', 'revert', 'verify']) reach.add(joinRel(p.dir, `${kind}/${c.file}`));
  }
  return reach;
}

/** The folder's plans, in the order they deploy, each change's script name settled. */
function sqitchPlans(folder: MigrationFolder): Plan[] {
  // A plan sits above its deploy/ folder; sub-projects (chef's baseline/) have their own.
  const planDirs = new Set(['', ...folder.files.map((f) => /^(?:(.*)\/)?deploy\//.exec(f)?.[1]).filter((d): d is string => d !== undefined)]);
  const plans = [...planDirs]
    .map((d) => ({ d, text: folder.readOptional(joinRel(d, SQITCH_PLAN)) }))
    .filter((x): x is { d: string; text: string } => x.text !== undefined && isSqitchPlan(x.text))
    .map(({ d, text }) => parsePlan(d, text));
  const byProject = new Map<string, Plan[]>();
  for (const p of plans) byProject.set(p.project, [...(byProject.get(p.project) ?? []), p]);
  const ordered: Plan[] = [];
  const placed = new Set<Plan>();
  const place = (p: Plan, path: Set<Plan>): void => {
    if (placed.has(p) || path.has(p)) return;
    path.add(p);
    for (const project of p.requires) for (const dep of byProject.get(project) ?? []) place(dep, path);
    ordered.push(p);
    placed.add(p);
  };
  for (const p of [...plans].sort((a, b) => compareCodePoints(a.dir, b.dir))) place(p, new Set());
  const files = new Set(folder.files);
  const exists = (f: string) => files.has(f) || folder.readOptional(f) !== undefined;
  for (const p of ordered) {
    for (const c of p.changes) {
      if (!c.rework) continue;
      for (let t = c.rework.from; t < c.rework.to; t++) {
        const name = `${c.name}@${p.tags[t]}.sql`;
        if (exists(joinRel(p.dir, `deploy/${name}`))) {
          c.file = name;
          break;
        }
      }
    }
  }
  return ordered;
}

/** Parses a plan in one pass (a plan of tens of thousands of changes stays fast). */
export function parsePlan(dir: string, text: string): Plan {
  const plan: Plan = { dir, project: '', requires: new Set(), tags: [], changes: [] };
  // Per change name, its latest entry and how many tags came before it.
  const latest = new Map<string, { index: number; tagsBefore: number }>();
  for (const raw of splitLines(text)) {
    const line = raw.replace(/\s+#.*$/, '').trim();
    if (!line || line.startsWith('#')) continue;
    const pragma = /^%project=(\S+)/.exec(line);
    if (pragma) plan.project = pragma[1];
    if (line.startsWith('%')) continue;
    if (line.startsWith('@')) {
      plan.tags.push(line.slice(1).split(/\s/)[0]);
      continue;
    }
    const m = /^[+-]?\s*([^\s[]+)\s*(?:\[([^\]]*)\])?/.exec(line);
    if (!m || line.startsWith('-')) continue;
    const name = m[1];
    const before = latest.get(name);
    // Reworked here: the earlier entry's script is named after a tag in between.
    if (before && before.tagsBefore < plan.tags.length) {
      const earlier = plan.changes[before.index];
      earlier.rework = { from: before.tagsBefore, to: plan.tags.length };
      earlier.file = `${name}@${plan.tags[before.tagsBefore]}.sql`;
    }
    latest.set(name, { index: plan.changes.length, tagsBefore: plan.tags.length });
    plan.changes.push({ name, file: `${name}.sql` });
    for (const dep of (m[2] ?? '').split(/\s+/)) {
      const cross = /^!?([^:\s]+):/.exec(dep);
      if (cross) plan.requires.add(cross[1]);
    }
  }
  return plan;
}
