import { rule } from '../../../src/core/app-code/rules/n-plus-one-query';
import { runCodeRuleTests, type CodeCase, type InvalidCodeCase } from './code-rule-tester';

/**
 * Each client × each loop form: the query runs once per element (invalid), and the same
 * query over a small constant array, outside any loop, or in a callback the loop only
 * registers, runs a bounded number of times (valid).
 */
interface Client {
  name: string;
  /** Imports and the client's construction. */
  setup: string;
  /** A read keyed by the element `x`. */
  read: string;
  /** What the message's rewrite must say. */
  rewrite: RegExp;
}

const CLIENTS: Client[] = [
  {
    name: 'Prisma (new PrismaClient())',
    setup: "import { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();",
    read: 'await prisma.post.findMany({ where: { authorId: x.id } })',
    rewrite: /prisma\.post\.findMany\(\{ where: \{ authorId: \{ in: /,
  },
  {
    name: 'Prisma (an exported db)',
    setup: "import { db } from './db';",
    read: 'await db.post.findFirst({ where: { authorId: x.id } })',
    rewrite: /db\.post\.findMany\(\{ where: \{ authorId: \{ in: /,
  },
  {
    name: 'Prisma $queryRaw',
    setup: "import { prisma } from '../lib/prisma';",
    read: 'await prisma.$queryRaw`SELECT id FROM "Post" WHERE "authorId" = ${x.id}`',
    rewrite: /"authorId" = ANY\(\$1\)/,
  },
  {
    name: 'Drizzle (select builder)',
    setup: "import { drizzle } from 'drizzle-orm/node-postgres';\nimport { eq } from 'drizzle-orm';\nimport { posts } from './schema';\nconst db = drizzle(process.env.DATABASE_URL!);",
    read: 'await db.select().from(posts).where(eq(posts.authorId, x.id))',
    rewrite: /inArray\(posts\.authorId, /,
  },
  {
    name: 'Drizzle (relational query)',
    setup: "import { drizzle } from 'drizzle-orm/node-postgres';\nimport { eq } from 'drizzle-orm';\nimport { posts } from './schema';\nconst db = drizzle(process.env.DATABASE_URL!);",
    read: 'await db.query.posts.findMany({ where: eq(posts.authorId, x.id) })',
    rewrite: /inArray\(posts\.authorId, /,
  },
  {
    name: 'Kysely',
    setup: "import { Kysely, PostgresDialect } from 'kysely';\nconst db = new Kysely<any>({ dialect: new PostgresDialect({}) });",
    read: "await db.selectFrom('posts').selectAll().where('author_id', '=', x.id).execute()",
    rewrite: /\.where\('author_id', 'in', /,
  },
  {
    name: 'Knex',
    setup: "import knex from 'knex';\nconst k = knex({ client: 'pg' });",
    read: "await k('posts').where('author_id', x.id)",
    rewrite: /\.whereIn\('author_id', /,
  },
  {
    name: 'TypeORM repository',
    setup: "import { DataSource } from 'typeorm';\nimport { Post } from './post';\nconst dataSource = new DataSource({ type: 'postgres' });\nconst posts = dataSource.getRepository(Post);",
    read: 'await posts.findOneBy({ authorId: x.id })',
    rewrite: /findBy\(\{ authorId: In\(/,
  },
  {
    name: 'TypeORM query builder',
    setup: "import { DataSource } from 'typeorm';\nimport { Post } from './post';\nconst dataSource = new DataSource({ type: 'postgres' });",
    read: "await dataSource.createQueryBuilder(Post, 'p').where('p.authorId = :id', { id: x.id }).getMany()",
    rewrite: /In\(/,
  },
  {
    name: 'pg Pool.query',
    setup: "import { Pool } from 'pg';\nconst pool = new Pool();",
    read: "await pool.query('SELECT id, title FROM posts WHERE author_id = $1', [x.id])",
    rewrite: /author_id = ANY\(\$1\)/,
  },
  {
    name: 'pg client from pool.connect()',
    setup: "import { Pool } from 'pg';\nconst pool = new Pool();\nconst conn = await pool.connect();",
    read: "await conn.query({ text: 'SELECT id FROM posts WHERE author_id = $1', values: [x.id] })",
    rewrite: /author_id = ANY\(\$1\)/,
  },
  {
    name: 'postgres.js',
    setup: "import postgres from 'postgres';\nconst sql = postgres(process.env.DATABASE_URL!);",
    read: 'await sql`SELECT id FROM posts WHERE author_id = ${x.id}`',
    rewrite: /author_id = ANY\(\$1\)/,
  },
];

interface LoopForm {
  name: string;
  /** The loop around `Q` (the query statement); `xs` is the collection. */
  wrap: (q: string) => string;
  kind: string;
  /** The collection as the message names it. */
  collection: string;
  /** Where the finding goes: the query (default), or the helper call. */
  helper?: boolean;
}

const FORMS: LoopForm[] = [
  { name: 'for…of', wrap: (q) => `for (const x of xs) {\n    const rows = ${q};\n    out.push(rows);\n  }`, kind: 'for…of loop', collection: 'xs' },
  { name: 'for await…of', wrap: (q) => `for await (const x of stream) {\n    out.push(${q});\n  }`, kind: 'for await…of loop', collection: 'stream' },
  { name: 'for…in', wrap: (q) => `for (const key in byId) {\n    const x = byId[key];\n    out.push(${q});\n  }`, kind: 'for…in loop', collection: 'byId' },
  { name: 'for (;;) over .length', wrap: (q) => `for (let i = 0; i < xs.length; i++) {\n    const x = xs[i];\n    out.push(${q});\n  }`, kind: 'for loop', collection: 'xs' },
  { name: 'while consuming a queue', wrap: (q) => `while (xs.length > 0) {\n    const x = xs.pop()!;\n    out.push(${q});\n  }`, kind: 'while loop', collection: 'xs' },
  { name: 'do…while', wrap: (q) => `do {\n    const x = xs.shift()!;\n    out.push(${q});\n  } while (xs.length);`, kind: 'do…while loop', collection: 'xs' },
  { name: '.forEach', wrap: (q) => `xs.forEach(async (x) => {\n    out.push(${q});\n  });`, kind: '.forEach callback', collection: 'xs' },
  { name: 'Promise.all(.map(async …))', wrap: (q) => `await Promise.all(xs.map(async (x) => {\n    return ${q};\n  }));`, kind: '.map callback', collection: 'xs' },
  { name: '.flatMap', wrap: (q) => `await Promise.all(xs.flatMap(async (x) => ${q}));`, kind: '.flatMap callback', collection: 'xs' },
  { name: 'a same-file helper called in a for…of', wrap: () => `for (const x of xs) {\n    out.push(await loadFor(x));\n  }`, kind: 'for…of loop', collection: 'xs', helper: true },
];

function file(client: Client, body: string, helper?: string): string {
  return [
    client.setup,
    '',
    'export async function run(xs: any[], byId: Record<string, any>, stream: AsyncIterable<any>) {',
    '  const out: unknown[] = [];',
    `  ${body}`,
    '  return out;',
    '}',
    ...(helper ? ['', `async function loadFor(x: any) {\n  return ${helper};\n}`] : []),
    '',
  ].join('\n');
}

const valid: CodeCase[] = [];
const invalid: InvalidCodeCase[] = [];

for (const client of CLIENTS) {
  for (const form of FORMS) {
    const code = form.helper ? file(client, form.wrap(''), client.read.replace(/^await /, '')) : file(client, form.wrap(client.read));
    const queryLine = code.split('\n').findIndex((l) => (form.helper ? l.includes('loadFor(x)') : l.includes(client.read.replace(/^await /, '').slice(0, 20)))) + 1;
    invalid.push({
      name: `${client.name} × ${form.name}`,
      code,
      errors: [
        {
          message: form.helper
            ? new RegExp(`^\`loadFor\\(\\)\` runs .* once per element of \`${form.collection}\` \\(${form.kind}, line \\d+\\): one query per element \\(N\\+1\\)\\. `)
            : new RegExp(`runs once per element of \`${form.collection}\` \\(${form.kind.replace(/[.*+?()]/g, '\\$&')}, line \\d+\\): one query per element \\(N\\+1\\)\\. .*${client.rewrite.source}`),
          line: queryLine,
        },
      ],
    });
  }
  // Guards, per client.
  valid.push(
    { name: `${client.name}: a loop over 3 constants`, code: file(client, `for (const x of [{ id: 1 }, { id: 2 }, { id: 3 }]) {\n    out.push(${client.read});\n  }`) },
    { name: `${client.name}: a loop over a small constant array declared above`, code: `const ROLES = ['admin', 'editor', 'viewer'] as const;\n${file(client, `for (const role of ROLES) {\n    const x = { id: role };\n    out.push(${client.read});\n  }`)}` },
    { name: `${client.name}: the query runs once, outside the loop`, code: file(client, `const x = xs[0];\n  const rows = ${client.read};\n  for (const r of xs) out.push(r, rows);`) },
    {
      name: `${client.name}: a promise created outside the loop, awaited inside it`,
      code: file(client, `const x = xs[0];\n  const pending = (async () => ${client.read})();\n  for (const r of xs) {\n    out.push(r, await pending);\n  }`),
    },
    { name: `${client.name}: a callback the loop registers runs later, not per element`, code: file(client, `for (const x of xs) {\n    emitter.on(x.event, async () => {\n      out.push(${client.read});\n    });\n  }`) },
    { name: `${client.name}: a bounded retry loop`, code: file(client, `const x = xs[0];\n  for (let attempt = 0; attempt < 3; attempt++) {\n    try {\n      out.push(${client.read});\n      break;\n    } catch {}\n  }`) },
  );
}

const PRISMA = "import { PrismaClient } from '@prisma/client';\nconst prisma = new PrismaClient();\n";
const SCHEMA = `model User {
  id    Int    @id @default(autoincrement())
  email String @unique
  posts Post[]
}

model Post {
  id       Int    @id @default(autoincrement())
  title    String
  authorId Int
  author   User   @relation(fields: [authorId], references: [id])
}
`;

valid.push(
  {
    name: 'dependent sequential writes inside a transaction are a sequence, not N+1',
    code: `${PRISMA}export async function place(items: { sku: string; qty: number }[]) {
  await prisma.$transaction(async (tx) => {
    for (const item of items) {
      const stock = await tx.stock.update({ where: { sku: item.sku }, data: { qty: { decrement: item.qty } } });
      await tx.movement.create({ data: { stockId: stock.id, qty: item.qty } });
    }
  });
}
`,
  },
  {
    name: 'a read fed by the previous turn (walking up a parent chain) cannot be batched',
    code: `${PRISMA}export async function ancestors(id: number) {
  const out = [];
  let parentId: number | null = id;
  for (const _ of Array.from({ length: 50 })) {
    if (parentId === null) break;
    const node = await prisma.category.findUnique({ where: { id: parentId } });
    out.push(node);
    parentId = node?.parentId ?? null;
  }
  return out;
}
`,
  },
  {
    name: 'cursor paging in a while loop reads pages, not rows',
    code: `${PRISMA}export async function all() {
  let cursor: number | undefined;
  for (;;) {
    const page = await prisma.post.findMany({ take: 100, ...(cursor && { skip: 1, cursor: { id: cursor } }) });
    if (page.length === 0) break;
    cursor = page[page.length - 1].id;
  }
}
`,
  },
  {
    name: 'a polling worker loop claims jobs one by one by design',
    code: `${PRISMA}export async function work() {
  while (true) {
    const job = await prisma.job.findFirst({ where: { status: 'queued' } });
    if (!job) break;
    await prisma.job.update({ where: { id: job.id }, data: { status: 'done' } });
  }
}
`,
  },
  {
    name: 'Object.values of a small enum is a constant collection',
    code: `${PRISMA}enum Status { Draft = 'draft', Published = 'published' }
export async function counts() {
  return Promise.all(Object.values(Status).map((status) => prisma.post.count({ where: { status } })));
}
`,
  },
  {
    name: 'updates handed to $transaction([...]) are batched by the author',
    code: `${PRISMA}export async function reorder(ids: number[]) {
  await prisma.$transaction(ids.map((id, position) => prisma.post.update({ where: { id }, data: { position } })));
}
`,
  },
  {
    name: 'drizzle and Prisma sql fragments in a loop are not queries',
    code: `import { sql } from 'drizzle-orm';
import { Prisma } from '@prisma/client';
export function conditions(names: string[]) {
  const parts = names.map((n) => sql\`name = \${n}\`);
  for (const n of names) parts.push(Prisma.sql\`team = \${n}\`);
  return parts;
}
`,
  },
  {
    name: 'array methods on ordinary objects are not database calls',
    code: `export function total(orders: { lines: { qty: number }[] }[]) {
  let n = 0;
  for (const o of orders) n += o.lines.filter((l) => l.qty > 0).map((l) => l.qty).reduce((a, b) => a + b, 0);
  const repo = new Map<string, number>();
  for (const o of orders) repo.set('x', o.lines.length);
  return n;
}
`,
  },
  {
    name: 'look-alikes seen in real code: Apollo client.query, Dexie (IndexedDB) db.table.update(key, changes), an SMTP client.send',
    code: `import { ApolloClient, gql } from '@apollo/client';
import Dexie from 'dexie';
const client = new ApolloClient({ uri: '/graphql' });
const db = new Dexie('app');
export async function sync(ids: string[], smtp: { send(m: object): Promise<void> }) {
  for (const id of ids) {
    await client.query({ query: gql\`query { user(id: \${id}) { name } }\`, variables: { id } });
    await db.friends.update(id, { synced: true });
    await db.friends.delete(id);
    await smtp.send({ to: id });
  }
}
`,
  },
  {
    name: 'writes handed to $transaction: an array built with map, spread, or push in a loop',
    code: `${PRISMA}export async function reorder(ids: number[]) {
  const ops = ids.map((id, position) => prisma.post.update({ where: { id }, data: { position } }));
  await prisma.$transaction(ops);
  await prisma.$transaction([...ids.map((id) => prisma.post.delete({ where: { id } }))]);
  const more = [];
  for (const id of ids) more.push(prisma.post.update({ where: { id }, data: { seen: true } }));
  await prisma.$transaction(more);
}
`,
  },
  {
    name: "findUnique in a Promise.all map is batched by Prisma's dataloader",
    code: `${PRISMA}export async function authors(posts: { authorId: number }[]) {
  return Promise.all(posts.map((post) => prisma.user.findUnique({ where: { id: post.authorId } })));
}
`,
  },
  {
    name: 'drizzle builders in a sql substitution are subqueries; postgres.js fragments in a map',
    code: `import { drizzle } from 'drizzle-orm/node-postgres';
import { sql, eq } from 'drizzle-orm';
import postgres from 'postgres';
import { posts, users } from './schema';
const db = drizzle(process.env.DATABASE_URL!);
const psql = postgres();
export function conditions(ids: number[], cols: string[]) {
  const a = ids.map((id) => sql\`exists (\${db.select().from(posts).where(eq(posts.authorId, id))})\`);
  const b = cols.map((c) => psql\`\${psql(c)} = 1\`);
  return [a, b];
}
`,
  },
  {
    name: 'loops that already batch: a chunked for with slice, chunk(ids, 500)',
    code: `${PRISMA}import { chunk } from 'lodash';
export async function load(ids: number[]) {
  for (let i = 0; i < ids.length; i += 500) {
    await prisma.user.findMany({ where: { id: { in: ids.slice(i, i + 500) } } });
  }
  for (const batch of chunk(ids, 500)) await prisma.user.findMany({ where: { id: { in: batch } } });
}
`,
  },
  {
    name: 'a retry loop bounded by a small named constant',
    code: `${PRISMA}const MAX_RETRIES = 5;
export async function load(id: number) {
  for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
    try {
      return await prisma.user.findUnique({ where: { id } });
    } catch {}
  }
}
`,
  },
  {
    name: 'a sequential statement runner: the SQL text is the loop variable',
    code: `import { Pool } from 'pg';
const pool = new Pool();
export async function migrate(statements: string[], migrations: { sql: string }[]) {
  for (const s of statements) await pool.query(s);
  for (const m of migrations) await pool.query(m.sql);
}
`,
  },
  {
    name: 'look-alikes: Twilio/Anthropic client.messages.create, Convex ctx.db.insert/delete',
    code: `import Anthropic from '@anthropic-ai/sdk';
export async function send(client: Anthropic, ctx: any, items: { id: string; body: string }[]) {
  for (const item of items) {
    await client.messages.create({ model: 'x', max_tokens: 10, messages: [{ role: 'user', content: item.body }] });
    await ctx.db.insert('messages', { body: item.body });
    await ctx.db.delete(item.id);
  }
}
`,
  },
  {
    name: 'a finding silenced by // pglens-ignore n-plus-one-query',
    code: `${PRISMA}export async function load(ids: number[]) {
  for (const id of ids) {
    // pglens-ignore n-plus-one-query
    await prisma.user.findUnique({ where: { id } });
  }
}
`,
  },
);

invalid.push(
  {
    name: 'include on the parent query when the loop walks its result (relation from schema.prisma), with a quick fix',
    prisma: SCHEMA,
    code: `${PRISMA}export async function feed() {
  const users = await prisma.user.findMany({ where: { email: { endsWith: '@x.io' } } });
  for (const user of users) {
    const posts = await prisma.post.findMany({ where: { authorId: user.id } });
    console.log(user.email, posts.length);
  }
}
`,
    errors: [
      {
        message: '`prisma.post.findMany` runs once per element of `users` (for…of loop, line 5): one query per element (N+1). Load them with the parent rows: add `include: { posts: true }` to `prisma.user.findMany` (line 4) and read `user.posts`.',
        line: 6,
        column: 25,
        endColumn: 45,
      },
    ],
    output: `${PRISMA}export async function feed() {
  const users = await prisma.user.findMany({ include: { posts: true }, where: { email: { endsWith: '@x.io' } } });
  for (const user of users) {
    const posts = user.posts;
    console.log(user.email, posts.length);
  }
}
`,
  },
  {
    name: 'include fix on a parent query without arguments',
    prisma: SCHEMA,
    code: `${PRISMA}export async function feed() {
  const users = await prisma.user.findMany();
  return Promise.all(users.map(async (user) => ({ user, posts: await prisma.post.findMany({ where: { authorId: user.id } }) })));
}
`,
    errors: [{ message: 'add `include: { posts: true }` to `prisma.user.findMany` (line 4)', line: 5 }],
    output: `${PRISMA}export async function feed() {
  const users = await prisma.user.findMany({ include: { posts: true } });
  return Promise.all(users.map(async (user) => ({ user, posts: user.posts })));
}
`,
  },
  {
    name: 'without schema.prisma: one findMany with `in` and a map, no fix',
    code: `${PRISMA}export async function authors(posts: { authorId: number }[]) {
  const out = [];
  for (const post of posts) out.push(await prisma.user.findUnique({ where: { id: post.authorId } }));
  return out;
}
`,
    errors: [{ message: 'Query once before the loop: `prisma.user.findMany({ where: { id: { in: posts.map((post) => post.authorId) } } })`, then look the rows up by id in a Map.' }],
    output: null,
  },
  {
    name: 'no include fix when the collection is another function\'s variable of the same name (a parameter here)',
    prisma: SCHEMA,
    code: `${PRISMA}export async function listAll() {
  const users = await prisma.user.findMany({ where: { email: { endsWith: '@x.io' } } });
  return users;
}
export async function report(users: { id: number }[]) {
  for (const user of users) await prisma.post.findMany({ where: { authorId: user.id } });
}
`,
    errors: [{ message: /Query once before the loop: `prisma\.post\.findMany\(\{ where: \{ authorId: \{ in: users\.map/, line: 8 }],
    output: null,
  },
  {
    name: 'no include fix when the parent query\'s variable is in a sibling block or was reassigned before the loop',
    prisma: SCHEMA,
    code: `${PRISMA}export async function feed(flag: boolean, users: { id: number }[]) {
  if (flag) {
    const users = await prisma.user.findMany();
    console.log(users.length);
  }
  for (const user of users) await prisma.post.findMany({ where: { authorId: user.id } });
  let active = await prisma.user.findMany();
  active = active.slice(1);
  for (const user of active) await prisma.post.findMany({ where: { authorId: user.id } });
}
`,
    errors: [{ message: 'Query once before the loop', line: 8 }, { message: 'Query once before the loop', line: 11 }],
    output: null,
  },
  {
    name: 'include fix when the collection is bound in an enclosing function',
    prisma: SCHEMA,
    code: `${PRISMA}export async function feed() {
  const users = await prisma.user.findMany();
  const run = async () => {
    for (const user of users) console.log(await prisma.post.findMany({ where: { authorId: user.id } }));
  };
  await run();
}
`,
    errors: [{ message: 'add `include: { posts: true }` to `prisma.user.findMany` (line 4)', line: 6 }],
    output: `${PRISMA}export async function feed() {
  const users = await prisma.user.findMany({ include: { posts: true } });
  const run = async () => {
    for (const user of users) console.log(user.posts);
  };
  await run();
}
`,
  },
  {
    name: 'a parent query with select: suggest a nested select, no include fix',
    prisma: SCHEMA,
    code: `${PRISMA}export async function feed() {
  const users = await prisma.user.findMany({ select: { id: true, email: true } });
  for (const user of users) console.log(await prisma.post.findMany({ where: { authorId: user.id } }));
}
`,
    errors: [{ message: 'add `posts: true` to the `select` of `prisma.user.findMany` (line 4)', line: 5 }],
    output: null,
  },
  {
    name: 'a one-to-one relation: include suggested, no quick fix',
    prisma: `model User {
  id      Int      @id
  profile Profile?
}

model Profile {
  id     Int  @id
  userId Int  @unique
  user   User @relation(fields: [userId], references: [id])
}
`,
    code: `${PRISMA}export async function feed() {
  const users = await prisma.user.findMany();
  for (const user of users) console.log(await prisma.profile.findMany({ where: { userId: user.id } }));
}
`,
    errors: [{ message: 'include: { profile: true }', line: 5 }],
    output: null,
  },
  {
    name: 'findUnique in a sequential loop is still reported',
    code: `${PRISMA}export async function authors(ids: number[]) {
  for (const id of ids) await prisma.user.findUnique({ where: { id } });
}
`,
    errors: [{ message: 'once per element of `ids`' }],
  },
  {
    name: 'a Set is not known to be an array: no createMany fix',
    code: `${PRISMA}export async function importRows(rows: Set<{ title: string }>) {
  for (const row of rows) {
    await prisma.post.create({ data: { title: row.title } });
  }
}
`,
    errors: [{ message: 'createMany' }],
    output: null,
  },
  {
    name: 'data: row (a whole object of unknown shape): no createMany fix',
    code: `${PRISMA}export async function importRows(rows: any[]) {
  for (const row of rows) {
    await prisma.post.create({ data: row });
  }
}
`,
    errors: [{ message: 'createMany' }],
    output: null,
  },
  {
    name: 'a Twilio-like client named prisma is still Prisma; a PrismaClient-typed client too',
    code: `import { PrismaClient } from '@prisma/client';
export async function send(client: PrismaClient, items: { id: number }[]) {
  for (const item of items) await client.message.create({ data: { id: item.id } });
}
`,
    errors: [{ message: 'client.message.create' }],
  },
  {
    name: 'a count per element suggests groupBy',
    code: `${PRISMA}export async function counts(users: { id: number }[]) {
  for (const user of users) user.n = await prisma.post.count({ where: { authorId: user.id } });
}
`,
    errors: [{ message: "groupBy({ by: ['authorId'], where: { authorId: { in: users.map((user) => user.id) } }, _count: true })" }],
  },
  {
    name: 'independent creates: batch with createMany, with a quick fix',
    code: `${PRISMA}export async function importRows(rows: { title: string; authorId: number }[]) {
  for (const row of rows) {
    await prisma.post.create({ data: { title: row.title, authorId: row.authorId } });
  }
}
`,
    errors: [{ message: '`prisma.post.create` runs once per element of `rows` (for…of loop, line 4): one write per element. Batch them: one `prisma.post.createMany({ data: [...] })`' }],
    output: `${PRISMA}export async function importRows(rows: { title: string; authorId: number }[]) {
  await prisma.post.createMany({ data: rows.map((row) => ({ title: row.title, authorId: row.authorId })) });
}
`,
  },
  {
    name: 'independent updates inside a transaction are still reported: batch with updateMany',
    code: `${PRISMA}export async function publish(ids: number[]) {
  await prisma.$transaction(async (tx) => {
    for (const id of ids) await tx.post.update({ where: { id }, data: { published: true } });
  });
}
`,
    errors: [{ message: /one write per element\. Batch them: one `tx\.post\.updateMany\(/ }],
    output: null,
  },
  {
    name: 'a nested relation write has no createMany fix',
    code: `${PRISMA}export async function seed(users: { email: string }[]) {
  for (const u of users) {
    await prisma.user.create({ data: { email: u.email, profile: { create: { bio: '' } } } });
  }
}
`,
    errors: [{ message: 'createMany' }],
    output: null,
  },
  {
    name: 'this.prisma in a NestJS service, and a helper method called per element',
    code: `import { Injectable } from '@nestjs/common';
import { PrismaService } from './prisma.service';
@Injectable()
export class FeedService {
  constructor(private readonly prisma: PrismaService) {}
  async feed(userIds: string[]) {
    return Promise.all(userIds.map((id) => this.postsOf(id)));
  }
  private postsOf(authorId: string) {
    return this.prisma.post.findMany({ where: { authorId } });
  }
}
`,
    errors: [{ message: /^`postsOf\(\)` runs `this\.prisma\.post\.findMany` \(line 10\) once per element of `userIds` \(\.map callback, line 7\)/, line: 7, column: 44 }],
  },
  {
    name: 'a TypeORM repository injected by type',
    code: `import { Repository } from 'typeorm';
export class OrderService {
  constructor(private readonly orders: Repository<Order>) {}
  async totals(customers: { id: number }[]) {
    for (const c of customers) {
      await this.orders.find({ where: { customerId: c.id } });
    }
  }
}
`,
    errors: [{ message: /`this\.orders\.find` runs once per element of `customers`.*findBy\(\{ customerId: In\(customers\.map\(\(c\) => c\.id\)\) \}\)/ }],
  },
  {
    name: 'a constant inner loop inside a real one: reported against the real loop',
    code: `${PRISMA}export async function matrix(users: { id: number }[]) {
  for (const user of users) {
    for (const status of ['draft', 'published']) {
      await prisma.post.count({ where: { authorId: user.id, status } });
    }
  }
}
`,
    errors: [{ message: 'once per element of `users` (for…of loop, line 4)' }],
  },
  {
    name: 'a knex subquery passed to whereIn is part of the one query per element, not a second one',
    code: `import knex from 'knex';
const k = knex({ client: 'pg' });
export async function members(teams: string[]) {
  for (const team of teams) await k('users').whereIn('id', k('members').select('user_id').where('team', team));
}
`,
    errors: [{ message: "`k('users')` runs once per element of `teams`" }],
  },
  {
    name: 'JavaScript with require()',
    file: '/src/case.js',
    code: `const { Pool } = require('pg');
const pool = new Pool();
module.exports = async function load(ids) {
  const rows = [];
  for (const id of ids) rows.push((await pool.query('SELECT * FROM users WHERE id = $1', [id])).rows[0]);
  return rows;
};
`,
    errors: [{ message: 'Send one query for all of them: `id = ANY($1)` with the array `ids`, then match the rows by id.' }],
  },
);

runCodeRuleTests(rule, { valid, invalid });
