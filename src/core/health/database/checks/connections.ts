import type { CheckJudgement, DatabaseCheck } from '../check';
import { HIDDEN_SESSION, hiddenNote, SESSION_PRIVILEGE } from './sessions';

/** Client sessions with the same state and application_name. */
export interface SessionGroup {
  /** null: a backend of another role this role cannot look into. 'starting' covers sessions still logging in. */
  state: string | null;
  applicationName: string | null;
  sessions: number;
}

export interface ConnectionsData {
  maxConnections: number;
  superuserReserved: number;
  /** reserved_connections (PG 16+, for roles with pg_use_reserved_connections); 0 before. */
  reserved: number;
  /** Every client session, pglens's own included: it takes a slot like any other. */
  groups: SessionGroup[];
}

/** States in the order a reader scans them: what works, what waits, what holds a slot for nothing. */
const STATE_ORDER = ['active', 'idle in transaction', 'idle in transaction (aborted)', 'idle', 'fastpath function call', 'starting', 'disabled'];

/**
 * How close the server is to refusing new connections ("sorry, too many clients already"):
 * client sessions against the slots ordinary roles may use — max_connections less the slots
 * reserved for superusers and, from PG 16, for pg_use_reserved_connections.
 */
export const check: DatabaseCheck<ConnectionsData> = {
  id: 'connections',
  group: 'activity',
  title: 'Connection usage',
  defaultSeverity: 'warning',
  // Shares of the slots ordinary roles may use: 80% leaves room for a burst or a deploy's second pool, 95% is one burst from refusals.
  defaults: { share: 0.8, errorShare: 0.95 },
  sandbox: 'needs a server: the embedded sandbox has one session (pglens\'s own) and no connection limit to reach',
  privilege: SESSION_PRIVILEGE,

  async read({ conn }) {
    // current_setting(…, true) is null where reserved_connections does not exist (before PG 16).
    const settings = await conn.query<Record<string, unknown>>(
      `SELECT current_setting('max_connections')::int AS max_connections,
              current_setting('superuser_reserved_connections')::int AS superuser_reserved,
              coalesce(nullif(current_setting('reserved_connections', true), '')::int, 0) AS reserved`,
    );
    const groups = await conn.query<Record<string, unknown>>(
      `SELECT CASE WHEN ${HIDDEN_SESSION} THEN NULL ELSE coalesce(a.state, 'starting') END AS state,
              CASE WHEN ${HIDDEN_SESSION} THEN NULL ELSE nullif(a.application_name, '') END AS application_name,
              count(*)::int AS sessions
       FROM pg_stat_activity a
       WHERE a.backend_type = 'client backend' OR ${HIDDEN_SESSION}
       GROUP BY 1, 2`,
    );
    const s = settings.rows[0] ?? {};
    return {
      maxConnections: Number(s.max_connections),
      superuserReserved: Number(s.superuser_reserved ?? 0),
      reserved: Number(s.reserved ?? 0),
      groups: groups.rows.map((r) => ({
        state: r.state == null ? null : String(r.state),
        applicationName: r.application_name == null ? null : String(r.application_name),
        sessions: Number(r.sessions),
      })),
    };
  },

  judge(data, thresholds): CheckJudgement {
    const { share, errorShare } = thresholds;
    const available = Math.max(1, data.maxConnections - data.superuserReserved - data.reserved);
    const used = data.groups.reduce((n, g) => n + g.sessions, 0);
    const hidden = data.groups.filter((g) => g.state === null).reduce((n, g) => n + g.sessions, 0);
    const ratio = used / available;
    const byState = tally(data.groups.filter((g) => g.state !== null), (g) => g.state as string);
    const byApp = tally(data.groups.filter((g) => g.state !== null), (g) => g.applicationName ?? '(no application_name)');
    const states = [...byState].sort(([a], [b]) => stateRank(a) - stateRank(b)).map(([state, n]) => `${n} ${state}`);
    if (hidden > 0) states.push(`${hidden} of other roles, state hidden`);
    const apps = [...byApp].sort(([a, m], [b, n]) => n - m || a.localeCompare(b));
    const appText = apps.slice(0, 5).map(([app, n]) => `${app} ${n}`).join(', ') + (apps.length > 5 ? `, ${apps.length - 5} more` : '');
    const limit = `max_connections ${data.maxConnections} − ${data.superuserReserved} reserved for superusers${data.reserved > 0 ? ` − ${data.reserved} reserved_connections` : ''}`;
    const summary = `${used} of ${available} connections in use (${pct(ratio)}; ${limit}; ${states.join(', ') || 'none'}${appText ? `; by application: ${appText}` : ''})`;

    const findings =
      ratio >= share
        ? [
            {
              ruleId: 'connections' as const,
              severity: ratio >= Math.max(share, errorShare) ? ('error' as const) : ('warning' as const),
              message:
                `${used} of the ${available} connections ordinary roles may open are in use (${pct(ratio)}, threshold ${pct(share)}): ` +
                `${states.join(', ')}${apps[0] ? `; most from ${apps[0][0]} (${apps[0][1]})` : ''}; at the limit new connections fail with "too many clients already"`,
              metrics: {
                used,
                available,
                share: Math.round(ratio * 1000) / 1000,
                max_connections: data.maxConnections,
                superuser_reserved_connections: data.superuserReserved,
                reserved_connections: data.reserved,
                ...Object.fromEntries([...byState].map(([state, n]) => [state.replace(/\W+/g, '_').replace(/_$/, ''), n])),
                hidden,
                by_application: apps.map(([app, n]) => `${app}: ${n}`).join(', '),
              },
              nextStep: nextStep(byState.get('idle') ?? 0, used),
            },
          ]
        : [];
    const note = hiddenNote(hidden, 'they are counted as connections but their state and application are unknown');
    return { findings, summary, ...(note ? { notes: [note] } : {}) };
  },
};

function nextStep(idle: number, used: number): string {
  const idleFirst =
    idle >= used / 2
      ? `${idle} of them ${idle === 1 ? 'is' : 'are'} idle: an application pool keeps more connections than it uses — lower its pool size, or put a pooler such as PgBouncer (transaction mode) in front; idle_session_timeout (PG 14+) ends sessions idle too long. `
      : 'Put a pooler such as PgBouncer (transaction mode) in front of the applications, or lower their pool sizes. ';
  return `${idleFirst}Raise max_connections only with the memory to match (each connection is a server process) and a restart.`;
}

function tally(groups: SessionGroup[], key: (g: SessionGroup) => string): Map<string, number> {
  const out = new Map<string, number>();
  for (const g of groups) out.set(key(g), (out.get(key(g)) ?? 0) + g.sessions);
  return out;
}

function stateRank(state: string): number {
  const i = STATE_ORDER.indexOf(state);
  return i < 0 ? STATE_ORDER.length : i;
}

function pct(ratio: number): string {
  return `${Math.round(ratio * 100)}%`;
}
