/**
 * The advisor's third stage: the candidates verified in a session on the database, then those
 * it could not try on the sandbox when there is one; what neither could try is unverified.
 */
import type { Connection } from '../db/connection';
import { errorMessage } from '../errors';
import type { IndexCandidate, TableInfo } from './candidates';
import { extensionStates } from './catalog';
import type { CheckedStatement } from './check';
import type { FoundCandidates } from './find-candidates';
import { jointMembers } from './rank';
import { runSession, type Outcome, type SessionResult } from './session';
import { loadTableInfo } from './table-info';
import type { AdviseOptions, ExtensionNeed } from './types';
import type { Verdicts } from './verdicts';

/**
 * Stage 3: one session on the database (each candidate alone, then the best of each table
 * together), then the candidates it could not try — HypoPG cannot simulate them, or their
 * extension is missing — on the sandbox when there is one. Returns the main session.
 */
export async function verifyCandidates(checked: CheckedStatement, found: FoundCandidates, verdicts: Verdicts, options: AdviseOptions): Promise<SessionResult> {
  const { conn, method, planned, safety, sandbox } = checked;
  let pending: Outcome[] = [];
  const main = await runSession({
    conn,
    method,
    planned,
    safety,
    options,
    candidates: found.candidates,
    extensions: found.extensions,
    tables: found.tables,
    together: (outcomes, before) => {
      pending = verdicts.judge(outcomes, before, method, false, found.extensions);
      return jointMembers(verdicts);
    },
  });
  if (pending.length > 0 && sandbox) await verifyOnSandbox(sandbox, pending, checked, verdicts, options);
  else {
    for (const o of pending) {
      if (o.kind === 'missing-extension' && method === 'sandbox') {
        verdicts.addUnverified(o.candidate, `needs the ${o.extension.name} extension: ${sandboxLacks(o.extension.name, o.extension.available)}`, o.extension);
      } else {
        verdicts.addUnverified(o.candidate, unverifiedReason(o, undefined), o.kind === 'missing-extension' ? o.extension : undefined);
      }
    }
  }
  return main;
}

/** The candidates the database could not try, built for real on the sandbox (in its own schema and session). */
async function verifyOnSandbox(sandbox: Connection, pending: Outcome[], checked: CheckedStatement, verdicts: Verdicts, options: AdviseOptions): Promise<void> {
  const { planned, safety, scopes } = checked;
  // The sandbox replays the migrations: the same tables, maybe in another schema than the server's search_path found.
  const sandboxTables = await loadTableInfo(sandbox, scopes.flatMap((sc) => sc.relations)).catch(() => [] as TableInfo[]);
  const original = new Map<IndexCandidate, IndexCandidate>();
  for (const o of pending) {
    const c = o.candidate;
    const t = sandboxTables.find((x) => x.name === c.table && x.schema === c.schema) ?? sandboxTables.find((x) => x.name === c.table);
    // Its own schema, partitions and operator classes' schemas: the sandbox's (resolved in its session).
    if (t) original.set({ ...c, schema: t.schema, ...(t.partitions ? { partitions: t.partitions } : { partitions: undefined }) }, c);
    else verdicts.addUnverified(c, unverifiedReason(o, `the sandbox has no table ${c.table} (its migrations do not create it)`));
  }
  const onSandbox = [...original.keys()];
  const back = (o: Outcome): Outcome => ({ ...o, candidate: original.get(o.candidate) ?? o.candidate });
  const sandboxExtensions = await extensionStates(sandbox, [...new Set(onSandbox.map((c) => c.extension).filter((e): e is string => e !== undefined))]).catch(() => new Map<string, ExtensionNeed>());
  try {
    const second = onSandbox.length > 0 ? await runSession({ conn: sandbox, method: 'sandbox', planned, safety, options, candidates: onSandbox, extensions: sandboxExtensions, tables: sandboxTables }) : undefined;
    const left = second ? verdicts.judge(second.outcomes.map(back), second.before, 'sandbox', true, sandboxExtensions) : [];
    for (const o of left) {
      const why = o.kind === 'missing-extension' ? `and ${sandboxLacks(o.extension.name, o.extension.available)}` : undefined;
      const first = pending.find((p) => p.candidate === o.candidate);
      verdicts.addUnverified(o.candidate, unverifiedReason(first ?? o, why), o.kind === 'missing-extension' ? o.extension : undefined);
    }
  } catch (e) {
    const why = `the sandbox could not run the statement: ${errorMessage(e).split('\n')[0]}`;
    for (const c of onSandbox) {
      const o = pending.find((p) => p.candidate === original.get(c));
      if (o) verdicts.addUnverified(o.candidate, unverifiedReason(o, why));
    }
  }
}

function unverifiedReason(o: Outcome, fallback: string | undefined): string {
  if (o.kind === 'unsupported') return `HypoPG cannot simulate ${o.accessMethod} indexes${fallback ? `, and ${fallback}` : ': verify it on the embedded sandbox (pglens advise --sandbox, or Verify on the embedded sandbox in the editor)'}`;
  if (o.kind === 'missing-extension') {
    const e = o.extension;
    const where = e.available ? `${e.name} is available but not installed, and pglens installs no extension on a server to test` : `${e.name} is not available here`;
    return `needs the ${e.name} extension: ${where}${fallback ? `; ${fallback}` : ''}`;
  }
  return fallback ?? 'could not be verified';
}

/** Why the sandbox cannot try an index whose extension it lacks. */
function sandboxLacks(name: string, available: boolean): string {
  if (available) return `${name} could not be created in the sandbox`;
  return `the sandbox (PGlite) does not ship ${name}, so it cannot build this index; verify it on a server that has ${name} (pglens never installs an extension there to test)`;
}
