/**
 * The editor's long-lived rollback verification child: `node verify-serve.js`, one JSON
 * request per line on stdin — `{ "id": 1, "dir": "/abs/folder", "label": "db/migrations" }` or
 * `{ "cancel": 1 }` — and one JSON answer per line on stdout — `{ "id": 1, "answer": … }`, the
 * answer of verify-process.ts plus `warm`. Progress lines go to stderr. It keeps, per folder, a
 * WarmVerifier: the database with every migration but the newest applied, so re-verifying the
 * migration being written takes a fraction of a second. Requests run one at a time.
 */
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { PglensError, errorMessage, isPglensError } from '../../errors';
import { pgliteExtensionsFor } from '../../db/sandbox-build';
import { loadConfig } from '../../config';
import { runnerSetsUnder } from '../../lint/migration-lint';
import { diffSnapshots } from './diff';
import { snapshotCatalog } from './snapshot';
import { announcePart, exitWithParent, readSetup } from './child';
import { pgliteTarget } from './targets';
import type { HungMigration } from './types';
import type { VerifyReport } from './verify';
import { WarmVerifier } from './warm';

export interface ServeRequest {
  id: number;
  dir: string;
  label?: string;
  /**
   * Parts the editor's watchdog ended an earlier child in (PGlite cannot stop a statement: the
   * editor ends the process when a part runs past its limit, and asks again with them).
   */
  hung?: HungMigration[];
}

export type ServeAnswer =
  | { id: number; answer: { report: VerifyReport; warm: boolean } }
  | { id: number; answer: { error: { code: string; message: string } } };

/** Per folder: its verifier, and what its database was built with (extensions, setup SQL). */
const verifiers = new Map<string, { verifier: WarmVerifier; key: string }>();
let current: { id: number; controller: AbortController } | undefined;

async function handle(request: ServeRequest): Promise<ServeAnswer['answer']> {
  try {
    const config = loadConfig(request.dir);
    const sets = runnerSetsUnder(request.dir, { config }).map((rs) => rs.set).filter((s) => s.migrations.length > 0);
    if (sets.length === 0) throw new PglensError('bad-input', `no migrations under ${request.label ?? request.dir}`, 'open a file of the folder your migration runner reads');
    const setup = readSetup(config);
    const texts = sets.flatMap((s) => s.migrations.flatMap((m) => [m.up.text, m.down?.text ?? '']));
    const { names } = await pgliteExtensionsFor(texts);
    const key = createHash('sha256').update(`${names.join(',')}\0${setup ?? ''}`).digest('hex');
    let entry = verifiers.get(request.dir);
    if (!entry || entry.key !== key) {
      await entry?.verifier.reset();
      const said = new Set<string>();
      const onNote = (m: string, at?: { file: string; line: number }): void => {
        const line = at ? `${at.file}:${at.line}: ${m}` : m;
        if (said.has(line)) return;
        said.add(line);
        process.stderr.write(`pglens: ${line}\n`);
      };
      entry = {
        verifier: new WarmVerifier({
          target: await pgliteTarget(texts, setup, { onNote }),
          snapshot: snapshotCatalog,
          diff: diffSnapshots,
          onProgress: (m) => process.stderr.write(`${m}\n`),
          onPart: announcePart,
        }),
        key,
      };
      verifiers.set(request.dir, entry);
    }
    const controller = new AbortController();
    current = { id: request.id, controller };
    try {
      const report = await entry.verifier.verify(sets, controller.signal, request.hung);
      return { report, warm: report.warm };
    } finally {
      announcePart(undefined);
      current = undefined;
    }
  } catch (e) {
    return { error: isPglensError(e) ? { code: e.code, message: e.message } : { code: 'internal', message: errorMessage(e) } };
  }
}

function main(): void {
  // The editor went away without closing stdin (killed): end with it.
  exitWithParent();
  let queue = Promise.resolve();
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    let message: Partial<ServeRequest> & { cancel?: number };
    try {
      message = JSON.parse(line) as Partial<ServeRequest> & { cancel?: number };
    } catch {
      return;
    }
    if (typeof message.cancel === 'number') {
      if (current?.id === message.cancel) current.controller.abort();
      return;
    }
    if (typeof message.id !== 'number' || typeof message.dir !== 'string') return;
    const request = { ...message, ...(Array.isArray(message.hung) && { hung: message.hung }) } as ServeRequest;
    queue = queue.then(async () => {
      const answer = await handle(request);
      process.stdout.write(`${JSON.stringify({ id: request.id, answer })}\n`);
    });
  });
  // The editor went away: close every database and end.
  lines.on('close', () => {
    void queue.then(async () => {
      for (const { verifier } of verifiers.values()) await verifier.reset();
      process.exit(0);
    });
  });
}

if (require.main === module) main();
