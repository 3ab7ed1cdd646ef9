// The 10,000-table catalog database shared by bench/health-catalog.mjs and bench/health-snapshot.mjs:
// `pglens_bench_catalog` on the local server (DATABASE_URL's server when set), created and filled
// on the first run, reused afterwards. It never drops anything.
import pg from 'pg';

export const TABLES = 10_000;
const SCHEMAS = 10;
export const DB = 'pglens_bench_catalog';

const base = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
const adminUrl = new URL(base);
adminUrl.pathname = '/postgres';
export const benchUrl = new URL(base);
benchUrl.pathname = `/${DB}`;

async function withClient(url, fn) {
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates and fills the database once; later calls return at once. */
export async function ensureCatalogDb() {
  await withClient(adminUrl, async (admin) => {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DB]);
    if (exists.rowCount === 0) {
      console.log(`creating database ${DB}`);
      await admin.query(`CREATE DATABASE ${DB}`);
    }
  });

  await withClient(benchUrl, async (client) => {
    await client.query('CREATE SCHEMA IF NOT EXISTS pglens_bench');
    await client.query('CREATE TABLE IF NOT EXISTS pglens_bench.built (tables int NOT NULL)');
    const built = await client.query('SELECT tables FROM pglens_bench.built');
    if (built.rows[0]?.tables === TABLES) return;
    console.log(`building ${TABLES} tables with 2 indexes each (once; later runs reuse them)…`);
    const started = Date.now();
    for (let s = 0; s < SCHEMAS; s++) await client.query(`CREATE SCHEMA IF NOT EXISTS app_${s}`);
    const perSchema = TABLES / SCHEMAS;
    const batch = 250;
    for (let first = 0; first < TABLES; first += batch) {
      const ddl = [];
      for (let n = first; n < Math.min(TABLES, first + batch); n++) {
        const schema = `app_${n % SCHEMAS}`;
        const t = `t_${Math.floor(n / SCHEMAS)}`;
        // Every third table references its schema's first table, and only some index the key: real-looking findings.
        const ref = n >= SCHEMAS && n % 3 === 0 ? ` REFERENCES ${schema}.t_0 (id)` : '';
        ddl.push(`CREATE TABLE IF NOT EXISTS ${schema}.${t} (id bigint PRIMARY KEY, parent_id bigint${ref}, name text, created_at timestamptz);`);
        ddl.push(`CREATE INDEX IF NOT EXISTS ${t}_${n % 2 ? 'parent_id' : 'created_at'}_idx ON ${schema}.${t} (${n % 2 ? 'parent_id' : 'created_at'});`);
      }
      await client.query(`BEGIN; ${ddl.join('\n')} COMMIT;`);
      process.stdout.write(`\r  ${Math.min(TABLES, first + batch)} / ${TABLES} tables (${perSchema} per schema)`);
    }
    await client.query('ANALYZE');
    await client.query('DELETE FROM pglens_bench.built');
    await client.query('INSERT INTO pglens_bench.built VALUES ($1)', [TABLES]);
    console.log(`\n  built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
}

/**
 * A connection to the catalog database with the part of the Connection contract the health
 * code uses (`query`); `end()` closes it.
 */
export async function openBenchConnection() {
  const client = new pg.Client({ connectionString: benchUrl.toString() });
  await client.connect();
  return {
    kind: 'server',
    label: `bench (${benchUrl.host}/${DB})`,
    query: async (sql, params) => {
      const r = await client.query(sql, params);
      return { rows: r.rows, fields: r.fields.map((f) => ({ name: f.name })), rowCount: r.rowCount ?? 0 };
    },
    end: () => client.end(),
  };
}
