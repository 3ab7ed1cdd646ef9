/**
 * The rollback verification child: `node verify-process.js` with one JSON request on stdin,
 * one JSON answer on stdout, progress lines on stderr. PGlite runs here, not in the CLI's
 * process (which runs its bundle from a V8 code cache, where PGlite's module loading fails)
 * nor in the editor's extension host. SIGINT/SIGTERM stop it after the current migration;
 * the answer then holds what was verified.
 */
import { readFileSync } from 'node:fs';
import { PglensError, errorMessage, isPglensError } from '../../errors';
import { loadConfig } from '../../lint/config';
import { runnerSetsUnder } from '../../lint/migration-lint';
import { diffSnapshots } from './diff';
import { snapshotCatalog } from './snapshot';
import { pgliteTarget, serverTarget } from './targets';
import { verifyMigrations, type VerifyReport } from './verify';

export interface VerifyRequest {
  /** The folder to verify (absolute). */
  dir: string;
  /** An explicit .pglens.json (absolute); default: the nearest above `dir`. */
  config?: string;
  /** A server to create the scratch databases on (the caller has the user's confirmation). */
  db?: string;
  /** How messages name `dir` (what the user typed). */
  label?: string;
}

export type VerifyAnswer = { report: VerifyReport } | { error: { code: string; message: string } };

async function run(request: VerifyRequest): Promise<VerifyAnswer> {
  const config = loadConfig(request.dir, request.config);
  const sets = runnerSetsUnder(request.dir, { config }).map((rs) => rs.set).filter((s) => s.migrations.length > 0);
  if (sets.length === 0) throw new PglensError('bad-input', `no migrations under ${request.label ?? request.dir}`, 'pass the folder your migration runner reads');
  let setup: string | undefined;
  if (config.sandbox?.setup) {
    try {
      setup = readFileSync(config.sandbox.setup, 'utf8');
    } catch (e) {
      throw new PglensError('bad-input', `cannot read the sandbox setup file ${config.sandbox.setup}: ${errorMessage(e)}`, 'fix "sandbox": { "setup": … } in .pglens.json');
    }
  }
  const texts = sets.flatMap((s) => s.migrations.flatMap((m) => [m.up.text, m.down?.text ?? '']));
  const target = request.db ? await serverTarget(request.db, setup) : await pgliteTarget(texts, setup);
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const report = await verifyMigrations(sets, {
    target,
    snapshot: snapshotCatalog,
    diff: diffSnapshots,
    signal: controller.signal,
    onProgress: (m) => process.stderr.write(`${m}\n`),
  });
  return { report };
}

async function main(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  let answer: VerifyAnswer;
  try {
    answer = await run(JSON.parse(Buffer.concat(chunks).toString('utf8')) as VerifyRequest);
  } catch (e) {
    answer = isPglensError(e)
      ? // The message already ends with the hint (PglensError joins them).
        { error: { code: e.code, message: e.message } }
      : { error: { code: 'internal', message: errorMessage(e) } };
  }
  process.stdout.write(JSON.stringify(answer));
}

if (require.main === module) void main();
