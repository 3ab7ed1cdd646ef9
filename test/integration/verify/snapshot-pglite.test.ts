import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PGlite, type Extension } from '@electric-sql/pglite';
import { describeSnapshotContract } from './snapshot-contract';

/** citext as a PGlite extension: its bundle ships in the PGlite package. */
const citext = {
  name: 'citext',
  setup: async (_pg: unknown, emscriptenOpts: unknown) => ({
    emscriptenOpts,
    bundlePath: pathToFileURL(path.join(path.dirname(require.resolve('@electric-sql/pglite')), 'citext.tar.gz')),
  }),
} as Extension;

describeSnapshotContract('embedded PGlite (in memory)', {
  extension: 'citext',
  create: async () => {
    const db = await PGlite.create({ extensions: { citext } });
    return {
      query: async (sql) => (await db.query<Record<string, unknown>>(sql)).rows,
      exec: async (sql) => {
        await db.exec(sql);
      },
      close: () => db.close(),
    };
  },
});
