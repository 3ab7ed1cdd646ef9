import { createHash } from 'node:crypto';

/**
 * One picture of a server's state, taken before and after each hostile statement, and a
 * readable diff of two of them: what changed, not just "not equal".
 *
 * A snapshot is sections of `key → value` strings (plus monotone statistics counters), so
 * the diff can name every object that appeared, disappeared or changed.
 */

export interface Querier {
  /** `name`: the text is run as a named prepared statement where the driver can (its plan is kept). */
  query(sql: string, name?: string): Promise<{ rows: Record<string, unknown>[] }>;
}

export interface Snapshot {
  sections: Record<string, Record<string, string>>;
  /** Per-table activity counters: they may grow (the statement's own scans), never shrink (a reset). */
  counters: Record<string, number>;
  /** Rows of small tables, for a row-level diff of a changed table. */
  tableRows: Record<string, string[]>;
}

export interface SnapshotScope {
  /** Schemas whose table contents are compared (the test schema). */
  contentSchemas: string[];
  /** Schemas whose relations, functions, triggers, rules, policies… are compared. */
  catalogSchemas: string[];
  /** The real server: roles, databases, configuration, replication, statistics resets, all advisory locks. */
  server: boolean;
  /** The tester's own pid: objects of other pglens test runs (pglens_<what>_<other pid>…) are not compared. */
  ownPid: number;
}

const lit = (text: string) => `'${text.replace(/'/g, "''")}'`;
const list = (names: string[]) => names.map(lit).join(', ');

/** Sections every database has (the embedded sandbox too). `S` = catalog schemas, `C` = content schemas. */
function catalogSections(S: string, C: string): string[] {
  return [
    `SELECT 'sequences' AS section, schemaname || '.' || sequencename AS k, coalesce('last_value=' || last_value::text, 'never called') AS v FROM pg_sequences`,
    `SELECT 'large objects', oid::text, 'owner=' || lomowner::regrole::text || ' md5=' || md5(lo_get(oid)) FROM pg_largeobject_metadata`,
    `SELECT 'relations', n.nspname || '.' || c.relname,
            'kind=' || c.relkind::text || ' persistence=' || c.relpersistence::text || ' filenode=' || c.relfilenode
            || ' rls=' || c.relrowsecurity || '/' || c.relforcerowsecurity || ' acl=' || coalesce(c.relacl::text, '-')
            || ' options=' || coalesce(c.reloptions::text, '-') || ' columns=' || coalesce((
              SELECT md5(string_agg(a.attname || ':' || format_type(a.atttypid, a.atttypmod) || ':' || a.attnotnull || ':' || coalesce(pg_get_expr(d.adbin, d.adrelid), ''), ',' ORDER BY a.attnum))
                FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
               WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '-')
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN (${S})`,
    `SELECT 'functions', n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
            'kind=' || p.prokind::text || ' volatility=' || p.provolatile::text || ' secdef=' || p.prosecdef || ' body=' || md5(coalesce(p.prosrc, '')) || ' acl=' || coalesce(p.proacl::text, '-')
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname IN (${S})`,
    `SELECT 'triggers', n.nspname || '.' || c.relname || '.' || t.tgname, 'enabled=' || t.tgenabled::text || ' ' || md5(pg_get_triggerdef(t.oid))
       FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN (${S})`,
    `SELECT 'rules', n.nspname || '.' || c.relname || '.' || r.rulename, 'enabled=' || r.ev_enabled::text || ' ' || md5(pg_get_ruledef(r.oid))
       FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN (${S})`,
    `SELECT 'policies', n.nspname || '.' || c.relname || '.' || p.polname,
            p.polcmd::text || ' ' || p.polroles::text || ' ' || md5(coalesce(pg_get_expr(p.polqual, p.polrelid), '') || '|' || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), ''))
       FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN (${S})`,
    `SELECT 'constraints', n.nspname || '.' || con.conname || ' on ' || coalesce(con.conrelid::regclass::text, con.contypid::regtype::text),
            'validated=' || con.convalidated || ' ' || md5(pg_get_constraintdef(con.oid))
       FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace WHERE n.nspname IN (${S})`,
    `SELECT 'types', n.nspname || '.' || t.typname, 'type=' || t.typtype::text FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname IN (${S}) AND t.typelem = 0 AND t.typrelid = 0`,
    `SELECT 'operators', n.nspname || '.' || o.oprname || '(' || o.oprleft::regtype::text || ',' || o.oprright::regtype::text || ')', o.oprcode::text
       FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace WHERE n.nspname IN (${S})`,
    `SELECT 'casts', c.castsource::regtype::text || ' -> ' || c.casttarget::regtype::text, c.castfunc::regprocedure::text || ' context=' || c.castcontext::text
       FROM pg_cast c WHERE c.oid >= 16384`,
    `SELECT 'event triggers', evtname, evtevent || ' enabled=' || evtenabled::text || ' ' || evtfoid::regprocedure::text FROM pg_event_trigger`,
    `SELECT 'schemas', nspname, 'owner=' || nspowner::regrole::text || ' acl=' || coalesce(nspacl::text, '-') FROM pg_namespace
      WHERE nspname NOT LIKE 'pg\\_temp\\_%' AND nspname NOT LIKE 'pg\\_toast\\_temp\\_%'`,
    `SELECT 'extensions', extname, extversion || ' in ' || extnamespace::regnamespace::text FROM pg_extension`,
    `SELECT 'advisory locks', 'key ' || l.classid || ':' || l.objid || ':' || l.objsubid || ' ' || l.mode || ' by pid ' || l.pid,
            CASE WHEN l.granted THEN 'held' ELSE 'waiting' END
       FROM pg_locks l WHERE l.locktype = 'advisory'`,
    // Unused, but keeps the contents schemas in the query so an empty C is still valid SQL.
    `SELECT 'content schemas', nspname, 'present' FROM pg_namespace WHERE nspname IN (${C})`,
  ];
}

/** Sections only the real server has. */
function serverSections(): string[] {
  return [
    `SELECT 'roles', a.rolname,
            'super=' || a.rolsuper || ' inherit=' || a.rolinherit || ' createrole=' || a.rolcreaterole || ' createdb=' || a.rolcreatedb
            || ' login=' || a.rolcanlogin || ' replication=' || a.rolreplication || ' bypassrls=' || a.rolbypassrls || ' connlimit=' || a.rolconnlimit
            || ' validuntil=' || coalesce(a.rolvaliduntil::text, '-') || ' password=' || coalesce(md5(a.rolpassword), '-')
            || ' member of=' || coalesce((SELECT string_agg(m.roleid::regrole::text, ',' ORDER BY 1) FROM pg_auth_members m WHERE m.member = a.oid), '-')
       FROM pg_authid a`,
    `SELECT 'role and database settings', coalesce(d.datname, '(all databases)') || ' / ' || coalesce(r.rolname, '(all roles)'), s.setconfig::text
       FROM pg_db_role_setting s LEFT JOIN pg_database d ON d.oid = s.setdatabase LEFT JOIN pg_roles r ON r.oid = s.setrole`,
    `SELECT 'configuration files', sourcefile || ': ' || name, coalesce(setting, '-') || ' applied=' || applied || coalesce(' error=' || error, '') FROM pg_file_settings`,
    `SELECT 'server settings', name, setting || ' (' || source || ')' || CASE WHEN pending_restart THEN ' pending restart' ELSE '' END
       FROM pg_settings WHERE source IN ('configuration file', 'command line', 'environment variable')`,
    `SELECT 'databases', datname, 'owner=' || datdba::regrole::text || ' allowconn=' || datallowconn || ' connlimit=' || datconnlimit || ' template=' || datistemplate || ' acl=' || coalesce(datacl::text, '-') FROM pg_database`,
    `SELECT 'tablespaces', spcname, 'owner=' || spcowner::regrole::text FROM pg_tablespace`,
    `SELECT 'replication slots', slot_name, slot_type || ' temporary=' || temporary || ' database=' || coalesce(database, '-') FROM pg_replication_slots`,
    `SELECT 'replication origins', roname, 'present' FROM pg_replication_origin`,
    `SELECT 'prepared transactions', gid, 'owner=' || owner || ' database=' || database FROM pg_prepared_xacts`,
    `SELECT 'publications and subscriptions', 'publication ' || pubname, 'present' FROM pg_publication
     UNION ALL SELECT 'publications and subscriptions', 'subscription ' || subname, 'enabled=' || subenabled FROM pg_subscription`,
    `SELECT 'foreign servers and user mappings', 'server ' || srvname, coalesce(srvoptions::text, '-') FROM pg_foreign_server
     UNION ALL SELECT 'foreign servers and user mappings', 'mapping ' || srvname || ' for ' || usename, 'present' FROM pg_user_mappings`,
    `SELECT 'default privileges', defaclrole::regrole::text || ' ' || defaclnamespace::text || ' ' || defaclobjtype::text, defaclacl::text FROM pg_default_acl`,
    `SELECT 'languages', lanname, 'trusted=' || lanpltrusted FROM pg_language`,
    `SELECT 'statistics resets', 'database ' || coalesce(datname, '(shared)'), coalesce(stats_reset::text, 'never') FROM pg_stat_database
     UNION ALL SELECT 'statistics resets', 'bgwriter', coalesce(stats_reset::text, 'never') FROM pg_stat_bgwriter
     UNION ALL SELECT 'statistics resets', 'wal', coalesce(stats_reset::text, 'never') FROM pg_stat_wal
     UNION ALL SELECT 'statistics resets', 'archiver', coalesce(stats_reset::text, 'never') FROM pg_stat_archiver
     UNION ALL SELECT 'statistics resets', 'slru ' || name, coalesce(stats_reset::text, 'never') FROM pg_stat_slru
     UNION ALL SELECT 'statistics resets', 'replication slot ' || slot_name, coalesce(stats_reset::text, 'never') FROM pg_stat_replication_slots`,
  ];
}

/** A name of another pglens test run (`pglens_<what>_<pid>…` with a pid that is not ours), running beside this one. */
export function otherTestRun(key: string, ownPid: number): boolean {
  const m = /^pglens_[a-z_]*?_(\d+)(?:_|$|\.| )/.exec(key);
  return m !== null && Number(m[1]) !== ownPid;
}

export async function takeSnapshot(db: Querier, scope: SnapshotScope): Promise<Snapshot> {
  const S = list(scope.catalogSchemas);
  const C = list(scope.contentSchemas.length ? scope.contentSchemas : ['-']);
  const parts = [...catalogSections(S, C), ...(scope.server ? serverSections() : [])];
  if (scope.server) {
    // Never compared for equality (the statement's own scans count), only for going down (a reset).
    parts.push(
      `SELECT '${COUNTERS}', schemaname || '.' || relname,
              (coalesce(seq_scan, 0) + coalesce(idx_scan, 0) + n_tup_ins + n_tup_upd + n_tup_del + vacuum_count + analyze_count)::text
         FROM pg_stat_user_tables WHERE schemaname IN (${C})`,
    );
  }
  const metaSql = `SELECT section, k, v FROM (${parts.map((p) => `(${p})`).join('\nUNION ALL\n')}) x(section, k, v)`;
  const meta = await db.query(metaSql, statementName(metaSql));
  const sections: Snapshot['sections'] = {};
  const counters: Snapshot['counters'] = {};
  for (const row of meta.rows) {
    const section = String(row.section);
    const key = String(row.k);
    if (section === COUNTERS) counters[key] = Number(row.v);
    else if (!otherTestRun(key, scope.ownPid)) (sections[section] ??= {})[key] = row.v === null ? 'null' : String(row.v);
  }
  delete sections['content schemas'];

  // Table contents: row count and md5 of the ordered rows; small tables also keep their rows.
  const tables: { key: string; ident: string }[] = [];
  for (const [key, value] of Object.entries(sections.relations ?? {})) {
    if (!/^kind=[rpm] /.test(value)) continue;
    const schema = scope.contentSchemas.find((c) => key.startsWith(`${c}.`));
    if (schema === undefined) continue;
    const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
    tables.push({ key, ident: `${quote(schema)}.${quote(key.slice(schema.length + 1))}` });
  }
  const tableRows: Snapshot['tableRows'] = {};
  const contents: Record<string, string> = {};
  if (tables.length > 0) {
    const selects = tables.map(
      (t) => `SELECT ${lit(t.key)} AS k, count(*)::text AS n, md5(coalesce(string_agg(r, E'\\n' ORDER BY r), '')) AS md5,
                     CASE WHEN count(*) <= 60 THEN string_agg(r, E'\\n' ORDER BY r) END AS rows
                FROM (SELECT x::text AS r FROM ${t.ident} x) q`,
    );
    const contentsSql = selects.join('\nUNION ALL\n');
    const r = await db.query(contentsSql, statementName(contentsSql));
    for (const row of r.rows) {
      const key = String(row.k);
      contents[key] = `${row.n} rows, md5 ${String(row.md5).slice(0, 12)}`;
      if (typeof row.rows === 'string') tableRows[key] = row.rows.split('\n');
      else if (row.n === '0') tableRows[key] = [];
    }
  }
  sections['table contents'] = contents;
  return { sections, counters, tableRows };
}

const COUNTERS = '(statistics counters)';

/** Planning these queries costs as much as running them: a name per text lets the server keep the plan. */
function statementName(sql: string): string {
  return `pglens_sec_${createHash('md5').update(sql).digest('hex')}`;
}

export interface DiffOptions {
  /** Sequences (schema-qualified) that may only move forward: an INSERT's own serial/identity. */
  allowSequenceAdvance?: string[];
  /** Every sequence may move forward (the sandbox recovering from a kill after a timeout). */
  allowAnySequenceAdvance?: boolean;
}

const MAX_LINES_PER_SECTION = 16;

/** The differences, one readable line each; empty when nothing changed. */
export function diffSnapshots(before: Snapshot, after: Snapshot, options: DiffOptions = {}): string[] {
  const out: string[] = [];
  const names = [...new Set([...Object.keys(before.sections), ...Object.keys(after.sections)])].sort();
  for (const name of names) {
    const a = before.sections[name] ?? {};
    const b = after.sections[name] ?? {};
    const lines: string[] = [];
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const was = a[key];
      const now = b[key];
      if (was === now) continue;
      if (name === 'sequences' && (options.allowAnySequenceAdvance || options.allowSequenceAdvance?.includes(key)) && sequenceAdvanced(was, now)) continue;
      if (was === undefined) lines.push(`    + ${key}: ${now}`);
      else if (now === undefined) lines.push(`    - ${key}: ${was}`);
      else lines.push(`    ~ ${key}: ${was} → ${now}`);
      if (name === 'table contents') lines.push(...rowDiff(before.tableRows[key], after.tableRows[key]));
    }
    if (lines.length > MAX_LINES_PER_SECTION) {
      const more = lines.length - MAX_LINES_PER_SECTION;
      lines.splice(MAX_LINES_PER_SECTION, more, `    … and ${more} more line(s)`);
    }
    if (lines.length > 0) out.push(`  ${name}:`, ...lines);
  }
  const reset: string[] = [];
  for (const [key, was] of Object.entries(before.counters)) {
    const now = after.counters[key];
    if (now !== undefined && now < was) reset.push(`    ~ ${key}: activity counters went down ${was} → ${now} (they were reset)`);
  }
  if (reset.length > 0) out.push('  table statistics:', ...reset);
  return out;
}

function sequenceAdvanced(was: string | undefined, now: string | undefined): boolean {
  const value = (v: string | undefined) => (v === undefined ? NaN : v === 'never called' ? 0 : Number(v.replace('last_value=', '')));
  return value(now) >= value(was);
}

function rowDiff(was: string[] | undefined, now: string[] | undefined): string[] {
  if (!was || !now) return [];
  const gone = was.filter((r) => !now.includes(r));
  const added = now.filter((r) => !was.includes(r));
  const lines = [...gone.map((r) => `        - row ${r}`), ...added.map((r) => `        + row ${r}`)];
  return lines.length > 12 ? [...lines.slice(0, 12), `        … ${lines.length - 12} more`] : lines;
}
