import type { Node } from '@babel/types';
import { propertyName, unwrap } from './walk';

/** The client library a database call goes through. */
export type ClientKind = 'prisma' | 'drizzle' | 'kysely' | 'knex' | 'typeorm' | 'pg' | 'postgres';

/** One call that sends a query to the database (a round trip when it runs). */
export interface DbCall {
  /** The node whose evaluation runs the query: the top of a builder chain, or a tagged template. */
  node: Node;
  /** What the finding underlines: from the receiver to the end of the operation's name. */
  start: number;
  end: number;
  client: ClientKind;
  /** Source text of the receiver as written: `prisma`, `this.prisma`, `tx`, `pool`. */
  receiver: string;
  /** How the call reads in a message: `prisma.post.findMany`, `pool.query`, `` sql`…` ``. */
  label: string;
  /** Prisma delegate (`post`), TypeORM entity, or table name, when known. */
  model?: string;
  /** The operation: findMany, query, select, insert, … */
  operation: string;
  write: boolean;
  /** Argument nodes of every call of the chain (template substitutions for a tagged template). */
  args: Node[];
  /** The query's text with `$1…$n` for substitutions, when it is written literally. */
  sql?: string;
  /** Source text of each `${…}` (or each value of a pg values array), in `$N` order. */
  sqlParams: string[];
  /** The query reads a page (take/skip/cursor, LIMIT/OFFSET): a paging loop, not N+1. */
  paginated: boolean;
}

/** What a receiver expression is, as far as names, bindings and type annotations tell. */
type Receiver = 'prisma' | 'pg' | 'drizzle' | 'kysely' | 'knex' | 'postgres' | 'repo' | 'manager' | 'db' | 'fragment';

/** What the file says about its names, gathered before the analysis (src/core/app-code/bindings.ts). */
export interface Bindings {
  /** Local name → module it is imported from. */
  imports: Map<string, string>;
  /** Name → initialisers (await and TS wrappers removed), in source order. */
  inits: Map<string, Node[]>;
  /** Name → the type name it is annotated with (`PrismaService`, `Repository`, `Pool`). */
  types: Map<string, string>;
  text: string;
}

const PRISMA_READS = new Set(['findUnique', 'findUniqueOrThrow', 'findFirst', 'findFirstOrThrow', 'findMany', 'count', 'aggregate', 'groupBy']);
const PRISMA_WRITES = new Set(['create', 'createMany', 'createManyAndReturn', 'update', 'updateMany', 'updateManyAndReturn', 'upsert', 'delete', 'deleteMany']);
const PRISMA_RAW = new Set(['$queryRaw', '$queryRawUnsafe', '$executeRaw', '$executeRawUnsafe']);
const DRIZZLE_STARTS = new Set(['select', 'selectDistinct', 'selectDistinctOn', 'insert', 'update', 'delete', 'execute', '$count']);
const KYSELY_STARTS = new Set(['selectFrom', 'insertInto', 'updateTable', 'deleteFrom', 'replaceInto', 'mergeInto']);
const KNEX_STARTS = new Set(['select', 'from', 'table', 'insert', 'update', 'del', 'delete', 'raw', 'where', 'first', 'count', 'into', 'upsert', 'distinct', 'pluck']);
const KNEX_WRITES = new Set(['insert', 'update', 'del', 'delete', 'upsert', 'increment', 'decrement', 'truncate']);
const TYPEORM_READS = new Set(['find', 'findOne', 'findOneBy', 'findBy', 'findAndCount', 'findAndCountBy', 'findOneOrFail', 'findOneByOrFail', 'count', 'countBy', 'exist', 'exists', 'existsBy', 'sum', 'average', 'minimum', 'maximum', 'query']);
const TYPEORM_WRITES = new Set(['save', 'insert', 'update', 'delete', 'remove', 'upsert', 'increment', 'decrement', 'softDelete', 'softRemove', 'restore', 'recover']);
const QUERY_BUILDER_RUNS = new Set(['getMany', 'getOne', 'getOneOrFail', 'getRawMany', 'getRawOne', 'getCount', 'getManyAndCount', 'getRawAndEntities', 'getExists', 'execute', 'stream']);
/** Chains ending here build a query (a subquery, a prepared statement) without running it. */
const NOT_RUN = new Set(['as', 'toSQL', 'getSQL', 'toQuery', 'toString', 'toSql', 'compile', 'prepare', '$dynamic', 'getQuery', 'getQueryAndParameters', 'getSql']);
const PROMISE_METHODS = new Set(['then', 'catch', 'finally']);
const PAGING_KEYS = new Set(['take', 'skip', 'cursor', 'limit', 'offset', 'first']);
/** Modules whose `sql` tag builds a fragment, not a query. */
const FRAGMENT_MODULES = /^(drizzle-orm|kysely|slonik|@prisma\/client|sql-template-strings|sql-template-tag|@databases\/[\w-]+|pg-sql2)(\/|$)/;

interface Segment {
  name: string;
  /** Arguments when the segment is a call (a tagged template's substitutions included). */
  args?: Node[];
  tagged?: Node;
  /** End offset of the segment's name. */
  nameEnd: number;
}

interface Chain {
  base: Node;
  segments: Segment[];
}

/** `a.b(c).d` → base `a`, segments b(c), d; a call of a bare function (`knex('t')`) is a segment named ''. */
function flatten(expr: Node): Chain {
  const segments: Segment[] = [];
  let n = unwrap(expr);
  for (;;) {
    if ((n.type === 'CallExpression' || n.type === 'OptionalCallExpression') && n.callee.type !== 'V8IntrinsicIdentifier') {
      const callee = unwrap(n.callee);
      const name = propertyName(callee);
      if (name !== undefined && (callee.type === 'MemberExpression' || callee.type === 'OptionalMemberExpression')) {
        segments.unshift({ name, args: n.arguments as Node[], nameEnd: callee.property.end ?? n.end ?? 0 });
        n = unwrap(callee.object);
        continue;
      }
      if (callee.type === 'Identifier' || callee.type === 'CallExpression' || callee.type === 'MemberExpression') {
        segments.unshift({ name: '', args: n.arguments as Node[], nameEnd: callee.end ?? 0 });
        n = callee;
        if (callee.type === 'Identifier') break;
        continue;
      }
      break;
    }
    if (n.type === 'TaggedTemplateExpression') {
      const tag = unwrap(n.tag);
      const name = propertyName(tag);
      if (name !== undefined && (tag.type === 'MemberExpression' || tag.type === 'OptionalMemberExpression')) {
        segments.unshift({ name, args: n.quasi.expressions as Node[], tagged: n.quasi, nameEnd: tag.property.end ?? 0 });
        n = unwrap(tag.object);
        continue;
      }
      segments.unshift({ name: '``', args: n.quasi.expressions as Node[], tagged: n.quasi, nameEnd: tag.end ?? 0 });
      n = tag;
      break;
    }
    if (n.type === 'MemberExpression' || n.type === 'OptionalMemberExpression') {
      const name = propertyName(n);
      if (name === undefined) break;
      segments.unshift({ name, nameEnd: n.property.end ?? 0 });
      n = unwrap(n.object);
      continue;
    }
    break;
  }
  return { base: n, segments };
}

const PRISMA_NAME = /prisma/i;
const DB_NAME = /^(db|database|tx|trx|transaction|client|conn|connection|pool|pg|pgClient|pgPool|knex|sql|dbClient|dbPool|_db|_prisma)$/i;
const REPO_NAME = /(repo|repository)$/i;
const MANAGER_NAME = /^(manager|entityManager|em|_em|transactionalEntityManager)$/;

function typeReceiver(type: string): Receiver | undefined {
  if (/prisma/i.test(type)) return 'prisma';
  if (/^(Repository|TreeRepository|MongoRepository)$|Repository$/.test(type)) return 'repo';
  if (type === 'EntityManager') return 'manager';
  if (/^(Pool|PoolClient|Client|ClientBase)$/.test(type)) return 'pg';
  if (type === 'Kysely' || type === 'Transaction') return 'kysely';
  if (type === 'Knex') return 'knex';
  if (/^(NodePgDatabase|PostgresJsDatabase|NeonDatabase|NeonHttpDatabase|VercelPgDatabase|PgDatabase|PgTransaction|LibSQLDatabase)$/.test(type)) return 'drizzle';
  if (type === 'Sql' || type === 'TransactionSql') return 'postgres';
  return undefined;
}

function calleeName(n: Node): string | undefined {
  const c = unwrap(n);
  if (c.type === 'Identifier') return c.name;
  return propertyName(c);
}

/** What an initialiser makes: `new PrismaClient()`, `new Pool()`, `drizzle(…)`, `postgres(…)`, `ds.getRepository(User)`. */
function initReceiver(init: Node, b: Bindings, depth: number): Receiver | undefined {
  const n = unwrap(init);
  if (n.type === 'NewExpression') {
    const name = calleeName(n.callee as Node);
    if (name === 'PrismaClient') return 'prisma';
    if (name === 'Pool' || name === 'Client') return 'pg';
    if (name === 'Kysely') return 'kysely';
    if (name === 'DataSource') return 'manager';
    return undefined;
  }
  if (n.type === 'CallExpression') {
    const name = calleeName(n.callee as Node);
    if (name === 'drizzle') return 'drizzle';
    if (name === 'knex' || name === 'Knex') return 'knex';
    if (name === 'postgres' || name === 'neon') return 'postgres';
    if (name === 'getRepository' || name === 'getCustomRepository' || name === 'getTreeRepository') return 'repo';
    if (name === 'connect' || name === '$extends' || name === 'withExtensions') {
      const callee = unwrap(n.callee as Node);
      if (callee.type === 'MemberExpression') return receiverOf(callee.object, b, depth + 1);
    }
    return undefined;
  }
  if (n.type === 'MemberExpression' && propertyName(n) === 'manager') return 'manager';
  // `globalForPrisma.prisma ?? new PrismaClient()`, `cond ? new Pool(a) : new Pool(b)`.
  if (n.type === 'LogicalExpression') return initReceiver(n.left, b, depth) ?? initReceiver(n.right, b, depth);
  if (n.type === 'ConditionalExpression') return initReceiver(n.consequent, b, depth) ?? initReceiver(n.alternate, b, depth);
  return undefined;
}

/** `new Dexie()`, `new Redis()`: a client of something else, whatever the variable is called. */
function isForeignConstruction(init: Node): boolean {
  const n = unwrap(init);
  return n.type === 'NewExpression' && initReceiver(n, { imports: new Map(), inits: new Map(), types: new Map(), text: '' }, 4) === undefined;
}

function nameReceiver(name: string, b: Bindings, depth: number): Receiver | undefined {
  const module = b.imports.get(name);
  if (module !== undefined) {
    if (name === 'sql' && FRAGMENT_MODULES.test(module)) return 'fragment';
    if (module === '@vercel/postgres') return name === 'sql' ? 'postgres' : 'pg';
    if (module === 'postgres') return 'postgres';
  }
  if (depth < 4) {
    const inits = b.inits.get(name);
    if (inits) {
      for (let i = inits.length - 1; i >= 0; i--) {
        const r = initReceiver(inits[i], b, depth);
        if (r) return r;
      }
      if (isForeignConstruction(inits[inits.length - 1])) return undefined;
    }
  }
  const type = b.types.get(name);
  const typed = type === undefined ? undefined : typeReceiver(type);
  if (typed) return typed;
  if (PRISMA_NAME.test(name)) return 'prisma';
  if (DB_NAME.test(name)) return 'db';
  if (REPO_NAME.test(name)) return 'repo';
  if (MANAGER_NAME.test(name)) return 'manager';
  if (/(Client|Pool)$/.test(name)) return 'pg';
  return undefined;
}

function receiverOf(node: Node, b: Bindings, depth = 0): Receiver | undefined {
  const n = unwrap(node);
  if (n.type === 'Identifier') return nameReceiver(n.name, b, depth);
  if (n.type === 'MemberExpression' || n.type === 'OptionalMemberExpression') {
    const name = propertyName(n);
    if (name === 'manager') return 'manager';
    return name === undefined ? undefined : nameReceiver(name, b, depth);
  }
  if (n.type === 'CallExpression') {
    const r = initReceiver(n, b, depth);
    if (r) return r;
  }
  return undefined;
}

/** A receiver a query can be sent through; `this.x`, `ctx.prisma`, `req.db` read by their last name. */
function splitReceiver(chain: Chain, b: Bindings): { receiver: Receiver | undefined; receiverEnd: number; rest: Segment[] } {
  const { base, segments } = chain;
  let receiver = base.type === 'ThisExpression' ? undefined : receiverOf(base, b);
  let rest = segments;
  let receiverEnd = base.end ?? 0;
  // Walk `this.prisma`, `ctx.db`, `this.deps.prisma` down to the first name that is a client.
  while (receiver === undefined && rest.length > 1 && rest[0].args === undefined) {
    receiver = nameReceiver(rest[0].name, b, 0);
    receiverEnd = rest[0].nameEnd;
    rest = rest.slice(1);
  }
  return { receiver, receiverEnd, rest };
}

function stringArg(n: Node | undefined): string | undefined {
  if (!n) return undefined;
  const u = unwrap(n);
  if (u.type === 'StringLiteral') return u.value;
  if (u.type === 'TemplateLiteral' && u.expressions.length === 0) return u.quasis[0]?.value.cooked ?? undefined;
  return undefined;
}

function sourceOf(b: Bindings, n: Node | undefined): string {
  return n ? b.text.slice(n.start ?? 0, n.end ?? 0) : '';
}

/** A template's SQL with `$1…$n` for its substitutions. */
function templateSql(quasi: Node, b: Bindings): { sql: string; params: string[] } | undefined {
  if (quasi.type !== 'TemplateLiteral') return undefined;
  let sql = '';
  quasi.quasis.forEach((q, i) => {
    sql += q.value.cooked ?? q.value.raw;
    if (i < quasi.expressions.length) sql += `$${i + 1}`;
  });
  return { sql, params: quasi.expressions.map((e) => sourceOf(b, e as Node)) };
}

/** The SQL of a `query(text, values)` / `query({ text, values })` call, with the values' sources. */
function querySql(args: Node[], b: Bindings): { sql?: string; params: string[] } {
  let first = args[0] ? unwrap(args[0]) : undefined;
  let values = args[1] ? unwrap(args[1]) : undefined;
  if (first?.type === 'ObjectExpression') {
    const prop = (key: string): Node | undefined => {
      const p = first!.type === 'ObjectExpression' ? first!.properties.find((x) => x.type === 'ObjectProperty' && !x.computed && x.key.type === 'Identifier' && x.key.name === key) : undefined;
      return p && p.type === 'ObjectProperty' ? (p.value as Node) : undefined;
    };
    values = prop('values') ?? values;
    first = prop('text');
  }
  if (first?.type === 'TemplateLiteral' && first.expressions.length > 0) {
    const t = templateSql(first, b);
    return { sql: t?.sql, params: t?.params ?? [] };
  }
  if (first?.type === 'TaggedTemplateExpression') {
    const t = templateSql(first.quasi, b);
    return { sql: t?.sql, params: t?.params ?? [] };
  }
  const params = values?.type === 'ArrayExpression' ? values.elements.map((e) => (e ? sourceOf(b, e) : '')) : [];
  return { sql: stringArg(first), params };
}

function objectHasKey(n: Node | undefined, keys: Set<string>): boolean {
  const o = n ? unwrap(n) : undefined;
  if (!o || o.type !== 'ObjectExpression') return false;
  return o.properties.some((p) => p.type === 'ObjectProperty' && !p.computed && ((p.key.type === 'Identifier' && keys.has(p.key.name)) || (p.key.type === 'StringLiteral' && keys.has(p.key.value))));
}

/** How a whole SQL statement begins (after comments); anything else in a postgres.js template is a fragment. */
const STATEMENT_START = /^(\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)*(\(\s*)*(select|insert|update|delete|with|values|table|merge|copy|truncate|call|do|create|alter|drop|comment|grant|revoke|begin|start|commit|rollback|savepoint|release|set|reset|show|explain|analy[sz]e|vacuum|refresh|reindex|cluster|lock|listen|unlisten|notify|prepare|execute|deallocate|declare|fetch|move|close|discard|checkpoint|load|import|security)\b/i;
/** Names a Prisma client goes by when nothing else says what it is (`client` is Twilio's and Anthropic's too). */
const PRISMA_DB_NAME = /^(db|_db|database|tx|trx|transaction|prisma\w*|_prisma)$/i;
const SQL_PAGE = /\b(limit|offset|fetch\s+(first|next))\b/i;
const SQL_WRITE = /^\s*(with\b[\s\S]*?\)\s*)?(insert|update|delete|merge|copy|truncate)\b/i;

function sqlTable(sql: string | undefined): string | undefined {
  const m = sql && /\b(?:from|into|update|join)\s+((?:"[^"]+"|[\w$]+)(?:\.(?:"[^"]+"|[\w$]+))?)/i.exec(sql);
  return m ? m[1] : undefined;
}

/**
 * The database call `node` makes, when it is one. `node` is a CallExpression or a
 * TaggedTemplateExpression at the top of its chain (the caller checks); `usedAsArgument`: the
 * node is an argument of another call, where a thenable builder is a subquery, not a query;
 * `inTemplate`: it is a substitution of a template (`` sql`… ${inner}` ``), where it is a fragment.
 */
export function classifyDbCall(node: Node, b: Bindings, usedAsArgument: boolean, inTemplate = false): DbCall | undefined {
  const chain = flatten(node);
  while (chain.segments.length > 0 && PROMISE_METHODS.has(chain.segments[chain.segments.length - 1].name)) chain.segments.pop();
  if (chain.segments.length === 0) return undefined;
  const last = chain.segments[chain.segments.length - 1];
  if (NOT_RUN.has(last.name)) return undefined;
  const { receiver, receiverEnd, rest } = splitReceiver(chain, b);
  const start = node.start ?? 0;
  const receiverText = b.text.slice(start, receiverEnd);
  const allArgs = rest.flatMap((s) => s.args ?? []);
  const make = (c: Omit<DbCall, 'node' | 'start' | 'end' | 'receiver' | 'args' | 'sqlParams' | 'paginated'> & Partial<Pick<DbCall, 'sqlParams' | 'paginated'>>, endSegment: Segment): DbCall => ({
    node,
    start,
    receiver: receiverText,
    args: allArgs,
    sqlParams: [],
    paginated: false,
    ...c,
    end: endSegment.nameEnd,
  });
  const first = rest[0];
  if (!first) return undefined;

  // A tagged template on a client: postgres.js `` sql`…` ``, a transaction's `` tx`…` ``, Vercel's sql.
  if (first.name === '``' && chain.base.type === 'Identifier' && rest.length === 1) {
    if (receiver !== 'postgres' && !(receiver === 'db' && chain.base.name !== 'client' && chain.base.name !== 'pool')) return undefined;
    const t = templateSql(first.tagged!, b);
    // postgres.js runs a template only when awaited on its own: one nested in another's
    // substitution, or text that is not a statement (`${sql(col)} = 1`), is a fragment.
    if (inTemplate || !STATEMENT_START.test(t?.sql ?? '')) return undefined;
    return make({ client: 'postgres', label: `${chain.base.name}\`…\``, operation: 'query', write: SQL_WRITE.test(t?.sql ?? ''), sql: t?.sql, sqlParams: t?.params ?? [], paginated: SQL_PAGE.test(t?.sql ?? ''), model: sqlTable(t?.sql) }, first);
  }
  // Kysely's raw `` sql`…`.execute(db) ``.
  if (first.name === '``' && rest.length === 2 && rest[1].name === 'execute') {
    const t = templateSql(first.tagged!, b);
    return make({ client: 'kysely', label: 'sql`…`.execute', operation: 'execute', write: SQL_WRITE.test(t?.sql ?? ''), sql: t?.sql, sqlParams: t?.params ?? [], paginated: SQL_PAGE.test(t?.sql ?? ''), model: sqlTable(t?.sql) }, rest[1]);
  }
  if (receiver === undefined || receiver === 'fragment') return undefined;

  // Prisma: client.<model>.<operation>(…), client.$queryRaw`…` / (…).
  // The receiver's own name: `client` in `this.client`, `db` in `ctx.db`.
  const receiverName = /([\w$]+)\s*$/.exec(receiverText)?.[1] ?? '';
  const prismaLike = receiver === 'prisma' || (receiver === 'db' && PRISMA_DB_NAME.test(receiverName));
  if (prismaLike && rest.length === 2 && first.args === undefined && rest[1].args && !first.name.startsWith('$') && first.name !== 'query') {
    const op = rest[1].name;
    // Prisma's operations take one options object (or nothing): `db.friends.update(key, changes)`
    // is Dexie (IndexedDB), `db.users.delete(id)` another store.
    const options = rest[1].args[0] ? unwrap(rest[1].args[0]) : undefined;
    const prismaShaped = rest[1].args.length <= 1 && (!options || options.type === 'ObjectExpression' || options.type === 'Identifier' || options.type === 'MemberExpression');
    if (prismaShaped && (PRISMA_READS.has(op) || PRISMA_WRITES.has(op))) {
      const arg = rest[1].args[0];
      const paginated = objectHasKey(arg, PAGING_KEYS);
      return make({ client: 'prisma', label: `${receiverText}.${first.name}.${op}`, model: first.name, operation: op, write: PRISMA_WRITES.has(op), paginated }, rest[1]);
    }
  }
  if ((receiver === 'prisma' || receiver === 'db') && rest.length === 1 && PRISMA_RAW.has(first.name) && first.args) {
    const q = first.tagged ? templateSql(first.tagged, b) : querySql(first.args, b);
    const sql = q?.sql;
    return make({ client: 'prisma', label: `${receiverText}.${first.name}`, operation: first.name, write: first.name.startsWith('$execute'), sql, sqlParams: q?.params ?? [], paginated: SQL_PAGE.test(sql ?? ''), model: sqlTable(sql) }, first);
  }
  // TypeORM query builders, from any receiver.
  if (rest.some((s) => s.name === 'createQueryBuilder') && QUERY_BUILDER_RUNS.has(last.name)) {
    const write = rest.some((s) => s.name === 'insert' || s.name === 'update' || s.name === 'delete' || s.name === 'softDelete');
    const paginated = rest.some((s) => PAGING_KEYS.has(s.name));
    const qb = rest.find((s) => s.name === 'createQueryBuilder');
    return make({ client: 'typeorm', label: `${receiverText}.createQueryBuilder()…${last.name}`, operation: last.name, write, paginated, model: entityOf(chain, b) ?? stringArg(qb?.args?.[0]) }, last);
  }
  // TypeORM repositories and entity managers.
  if ((receiver === 'repo' || receiver === 'manager') && rest.length === 1 && first.args && (TYPEORM_READS.has(first.name) || TYPEORM_WRITES.has(first.name))) {
    const options = receiver === 'manager' ? first.args[1] : first.args[0];
    const model = receiver === 'manager' ? sourceOf(b, first.args[0]) : entityOf(chain, b);
    const sql = first.name === 'query' ? stringArg(first.args[0]) : undefined;
    return make({ client: 'typeorm', label: `${receiverText}.${first.name}`, operation: first.name, write: TYPEORM_WRITES.has(first.name), model, sql, paginated: objectHasKey(options, PAGING_KEYS) }, first);
  }
  // pg: client.query / pool.query — not Apollo's `client.query({ query: gql… })` (pg's object form has `text`).
  const queryConfig = first.args?.[0] ? unwrap(first.args[0]) : undefined;
  const pgShaped = !queryConfig || queryConfig.type !== 'ObjectExpression' || objectHasKey(queryConfig, new Set(['text']));
  if ((receiver === 'pg' || receiver === 'db') && rest.length === 1 && first.name === 'query' && first.args && first.args.length > 0 && pgShaped) {
    const q = querySql(first.args, b);
    return make({ client: 'pg', label: `${receiverText}.query`, operation: 'query', write: SQL_WRITE.test(q.sql ?? ''), sql: q.sql, sqlParams: q.params, paginated: SQL_PAGE.test(q.sql ?? ''), model: sqlTable(q.sql) }, first);
  }
  // postgres.js: sql.unsafe('…').
  if (receiver === 'postgres' && rest.length === 1 && first.name === 'unsafe' && first.args) {
    const sql = stringArg(first.args[0]);
    return make({ client: 'postgres', label: `${receiverText}.unsafe`, operation: 'unsafe', write: SQL_WRITE.test(sql ?? ''), sql, paginated: SQL_PAGE.test(sql ?? ''), model: sqlTable(sql) }, first);
  }
  // Kysely: db.selectFrom('t')…execute().
  if ((receiver === 'kysely' || receiver === 'db') && KYSELY_STARTS.has(first.name) && first.args && last.name.startsWith('execute')) {
    return make({ client: 'kysely', label: `${receiverText}.${first.name}(…)…${last.name}`, operation: first.name, write: first.name !== 'selectFrom', model: stringArg(first.args[0])?.split(' ')[0], paginated: rest.some((s) => PAGING_KEYS.has(s.name)) }, first);
  }
  // Knex: knex('t')…, knex.select()…, knex.raw(…) — a thenable builder runs when awaited, not as a subquery argument.
  const knexTable = first.name === '' ? stringArg(first.args?.[0]) : undefined;
  if ((receiver === 'knex' || (receiver === 'db' && knexTable !== undefined)) && !usedAsArgument && (knexTable !== undefined || KNEX_STARTS.has(first.name))) {
    const table = knexTable ?? stringArg(rest.find((s) => s.name === 'from' || s.name === 'table' || s.name === 'into')?.args?.[0]);
    const sql = first.name === 'raw' ? stringArg(first.args?.[0]) : undefined;
    const write = rest.some((s) => KNEX_WRITES.has(s.name)) || SQL_WRITE.test(sql ?? '');
    const op = rest.find((s) => s.name !== '' && s.name !== 'from' && s.name !== 'table')?.name ?? 'select';
    const label = knexTable !== undefined ? `${receiverText}('${knexTable}')` : `${receiverText}.${first.name}`;
    return make({ client: 'knex', label, operation: op, write, model: table?.split(' ')[0], sql, paginated: rest.some((s) => PAGING_KEYS.has(s.name)) || SQL_PAGE.test(sql ?? '') }, first);
  }
  // Drizzle: db.select()…from(t), db.insert(t)…, db.query.<table>.findMany(…), db.execute(sql`…`).
  // Convex's `ctx.db.insert('table', doc)` / `ctx.db.delete(id)` are not drizzle: drizzle's take
  // one table and go on (`.values`, `.set`, `.where`) unless the client is known to be drizzle.
  const convexLike = receiver === 'db' && (/^ctx\s*\.\s*db$/.test(receiverText) || [...b.imports.values()].some((m) => /^convex(\/|$)|_generated\/server$/.test(m)));
  const drizzleWriteShaped = receiver === 'drizzle' || (first.args?.length === 1 && rest.length > 1 && unwrap(first.args[0]).type !== 'StringLiteral');
  if ((receiver === 'drizzle' || (receiver === 'db' && !convexLike)) && !usedAsArgument) {
    if (first.name === 'query' && rest.length === 3 && (rest[2].name === 'findMany' || rest[2].name === 'findFirst') && rest[2].args) {
      return make({ client: 'drizzle', label: `${receiverText}.query.${rest[1].name}.${rest[2].name}`, operation: rest[2].name, write: false, model: rest[1].name, paginated: objectHasKey(rest[2].args[0], PAGING_KEYS) }, rest[2]);
    }
    if (DRIZZLE_STARTS.has(first.name) && first.args) {
      const write = first.name === 'insert' || first.name === 'update' || first.name === 'delete';
      if (write && !drizzleWriteShaped) return undefined;
      const from = write ? first.args[0] : rest.find((s) => s.name === 'from')?.args?.[0];
      if (!write && !from && first.name !== 'execute' && first.name !== '$count') return undefined;
      const q = first.name === 'execute' && first.args[0] ? querySql(first.args, b) : undefined;
      return make({ client: 'drizzle', label: `${receiverText}.${first.name}(…)`, operation: first.name, write: write || SQL_WRITE.test(q?.sql ?? ''), model: from ? sourceOf(b, from) : sqlTable(q?.sql), sql: q?.sql, sqlParams: q?.params ?? [], paginated: rest.some((s) => PAGING_KEYS.has(s.name)) || SQL_PAGE.test(q?.sql ?? '') }, first);
    }
  }
  return undefined;
}

/** The TypeORM entity a repository serves: getRepository(User) → User, this.userRepository → user. */
function entityOf(chain: Chain, b: Bindings): string | undefined {
  const base = unwrap(chain.base);
  if (base.type === 'CallExpression' && base.arguments[0]) return sourceOf(b, base.arguments[0] as Node);
  const name = base.type === 'Identifier' ? base.name : chain.segments.find((s) => s.args === undefined && REPO_NAME.test(s.name))?.name;
  if (!name) return undefined;
  for (const init of b.inits.get(name) ?? []) {
    const n = unwrap(init);
    if (n.type === 'CallExpression' && n.arguments[0]) return sourceOf(b, n.arguments[0] as Node);
  }
  const m = /^_?(\w+?)(Repo|Repository)$/i.exec(name);
  return m ? m[1] : undefined;
}
