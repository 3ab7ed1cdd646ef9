import type { Node } from '@babel/types';
import type { TextEdit } from '../../types';
import type { LoopQuery } from '../analyze';
import type { DbCall } from '../db-calls';
import type { PrismaModelIndex } from '../prisma-models';
import type { AppCodeContext, AppCodeRule } from '../rule';
import { unwrap } from '../walk';

/**
 * A database call that runs once per element of a collection (a loop body, a `.map`/`.forEach`
 * callback, a same-file function called from one): N round trips where one query would do.
 * The message names the loop and the collection and shows the one-query rewrite for the client.
 */
export const rule: AppCodeRule = {
  id: 'n-plus-one-query',
  defaultSeverity: 'warning',
  docs: { description: 'A query runs once per element of a collection: N round trips where one query would do.' },
  fixable: true,
  check(context) {
    for (const q of context.analysis.queries) {
      const start = q.via ? q.via.start : q.call.start;
      const end = q.via ? q.via.end : q.call.end;
      const fix = q.via ? undefined : includeFix(context, q) ?? createManyFix(context, q);
      context.report({ message: message(context, q), range: context.lines.rangeOf(start, end), ...(fix && { fix }) });
    }
  },
};

function message(context: AppCodeContext, q: LoopQuery): string {
  const line = context.lines.positionAt(q.loop.start).line + 1;
  const loop = q.loop.collectionText ? `once per element of \`${q.loop.collectionText}\` (${q.loop.kind}, line ${line})` : `once per turn of the ${q.loop.kind} (line ${line})`;
  const callLine = context.lines.positionAt(q.call.start).line + 1;
  const what = q.via ? `\`${q.via.name}()\` runs ${quote(q.call.label)} (line ${callLine})` : `${quote(q.call.label)} runs`;
  const cost = q.call.write ? 'one write per element' : 'one query per element (N+1)';
  return `${what} ${loop}: ${cost}. ${rewrite(context, q)}`;
}

/** Code in backticks; a label holding backticks itself (`` sql`…` ``) as it is. */
function quote(label: string): string {
  return label.includes('`') ? label : `\`${label}\``;
}

/** The source text of a node. */
function src(context: AppCodeContext, n: Node): string {
  return context.text.slice(n.start ?? 0, n.end ?? 0);
}

/** `{ where: { authorId: user.id } }` → ['authorId', node of `user.id`], for a where with one key. */
function whereKey(arg: Node | undefined): { key: string; value: Node } | undefined {
  const o = arg ? unwrap(arg) : undefined;
  if (!o || o.type !== 'ObjectExpression') return undefined;
  const where = propValue(o, 'where') ?? o;
  const w = unwrap(where);
  if (w.type !== 'ObjectExpression' || w.properties.length !== 1) return undefined;
  const p = w.properties[0];
  if (p.type === 'ObjectProperty' && !p.computed && p.key.type === 'Identifier') return { key: p.key.name, value: p.value as Node };
  return undefined;
}

function propValue(o: Node, key: string): Node | undefined {
  if (o.type !== 'ObjectExpression') return undefined;
  for (const p of o.properties) if (p.type === 'ObjectProperty' && !p.computed && ((p.key.type === 'Identifier' && p.key.name === key) || (p.key.type === 'StringLiteral' && p.key.value === key))) return p.value as Node;
  return undefined;
}

/** The keys to fetch at once: `users.map((user) => user.id)`, or the collection itself when the key is the element. */
function keysExpression(q: LoopQuery, value: string | undefined): string {
  const collection = q.loop.collectionText ?? 'keys';
  const item = q.loop.item;
  if (!value || !item) return `[…keys]`;
  if (value === item) return collection;
  if (!new RegExp(`\\b${item}\\b`).test(value)) return `[…keys]`;
  return `${collection}.map((${item}) => ${value})`;
}

function rewrite(context: AppCodeContext, q: LoopQuery): string {
  const c = q.call;
  if (q.call.write) return writeRewrite(q);
  const arg0 = c.args[0];
  switch (c.client) {
    case 'prisma': {
      if (c.sql !== undefined || c.operation.startsWith('$')) return sqlRewrite(q);
      const relation = includeRelation(context.prisma, q);
      if (relation) {
        const at = `\`${q.source!.label}\` (line ${context.lines.positionAt(q.source!.start).line + 1})`;
        // Prisma rejects `select` and `include` together: a parent query that selects gets the relation in its select.
        const parentArg = q.source!.args[0] ? unwrap(q.source!.args[0]) : undefined;
        if (parentArg && propValue(parentArg, 'select')) {
          return `Load them with the parent rows: add \`${relation.parentField}: true\` to the \`select\` of ${at} and read \`${q.loop.item}.${relation.parentField}\`.`;
        }
        return `Load them with the parent rows: add \`include: { ${relation.parentField}: true }\` to ${at} and read \`${q.loop.item}.${relation.parentField}\`.`;
      }
      const where = whereKey(arg0);
      const key = where?.key ?? '<key>';
      const keys = keysExpression(q, where && src(context, where.value));
      if (c.operation === 'count' || c.operation === 'aggregate' || c.operation === 'groupBy') {
        return `Count them in one query: \`${c.receiver}.${c.model}.groupBy({ by: ['${key}'], where: { ${key}: { in: ${keys} } }, _count: true })\` before the loop.`;
      }
      return `Query once before the loop: \`${c.receiver}.${c.model}.findMany({ where: { ${key}: { in: ${keys} } } })\`, then look the rows up by ${key} in a Map.`;
    }
    case 'drizzle': {
      const eq = findCall(c.args, 'eq');
      const column = eq ? src(context, eq.arguments[0] as Node) : '<column>';
      const keys = keysExpression(q, eq?.arguments[1] ? src(context, eq.arguments[1] as Node) : undefined);
      if (c.sql !== undefined) return sqlRewrite(q);
      return `Query once before the loop with \`inArray(${column}, ${keys})\` (or a \`with\` relation on the parent query), then look the rows up in a Map.`;
    }
    case 'kysely': {
      if (c.sql !== undefined) return sqlRewrite(q);
      const where = kyselyWhere(context, c);
      const keys = keysExpression(q, where?.value);
      return `Query once before the loop with \`.where('${where?.column ?? '<column>'}', 'in', ${keys})\`, then look the rows up in a Map.`;
    }
    case 'knex': {
      if (c.sql !== undefined) return sqlRewrite(q);
      const where = knexWhere(context, c);
      const keys = keysExpression(q, where?.value);
      return `Query once before the loop with \`.whereIn('${where?.column ?? '<column>'}', ${keys})\`, then look the rows up in a Map.`;
    }
    case 'typeorm': {
      if (c.sql !== undefined) return sqlRewrite(q);
      const where = whereKey(c.operation.endsWith('By') ? arg0 : c.args[c.receiver.endsWith('anager') ? 1 : 0]);
      const key = where?.key ?? '<key>';
      const keys = keysExpression(q, where && src(context, where.value));
      return `Query once before the loop: \`${c.receiver}.findBy({ ${key}: In(${keys}) })\` (or a relation in \`relations\` on the parent query), then look the rows up by ${key} in a Map.`;
    }
    default:
      return sqlRewrite(q);
  }
}

/** For SQL text: `col = $1` becomes `col = ANY($1)` with an array of the keys. */
function sqlRewrite(q: LoopQuery): string {
  const c = q.call;
  const m = c.sql ? /((?:"[^"]+"|[\w$]+)(?:\.(?:"[^"]+"|[\w$]+))?)\s*=\s*\$(\d+)/.exec(c.sql) : null;
  if (!m) return 'Send one query for all the elements with an array parameter (`= ANY($1)`), then match the rows to the elements in a Map.';
  const keys = keysExpression(q, c.sqlParams[Number(m[2]) - 1]);
  return `Send one query for all of them: \`${m[1]} = ANY($${m[2]})\` with the array \`${keys}\`, then match the rows by ${m[1]}.`;
}

function writeRewrite(q: LoopQuery): string {
  const c = q.call;
  const op = c.operation;
  const verb = /^\$?(insert|create)/i.test(op) || /^\s*insert\b/i.test(c.sql ?? '') ? 'insert' : /delete|del|remove/i.test(op) || /^\s*delete\b/i.test(c.sql ?? '') ? 'delete' : 'update';
  switch (c.client) {
    case 'prisma':
      if (c.sql === undefined && !op.startsWith('$')) {
        if (verb === 'insert') return `Batch them: one \`${c.receiver}.${c.model}.createMany({ data: [...] })\` (createManyAndReturn when the new rows are needed).`;
        if (verb === 'delete') return `Batch them: one \`${c.receiver}.${c.model}.deleteMany({ where: { id: { in: ids } } })\`.`;
        return `Batch them: one \`${c.receiver}.${c.model}.updateMany({ where: { id: { in: ids } }, data })\` when every row gets the same data; otherwise one \`UPDATE … FROM unnest($1::…[], $2::…[])\` through $executeRaw.`;
      }
      break;
    case 'drizzle':
      if (verb === 'insert') return `Batch them: one \`${c.receiver}.insert(${c.model ?? 'table'}).values(rows)\`.`;
      return `Batch them: one statement with \`inArray(<column>, ids)\`, or \`UPDATE … FROM unnest(…)\` when each row gets its own values.`;
    case 'kysely':
      if (verb === 'insert') return `Batch them: one \`${c.receiver}.insertInto('${c.model ?? 'table'}').values(rows)\`.`;
      return `Batch them: one statement with \`.where('<column>', 'in', ids)\`, or \`UPDATE … FROM unnest(…)\` when each row gets its own values.`;
    case 'knex':
      if (verb === 'insert') return `Batch them: one \`.insert(rows)\` (knex sends a multi-row INSERT).`;
      return `Batch them: one statement with \`.whereIn('<column>', ids)\`, or \`UPDATE … FROM unnest(…)\` when each row gets its own values.`;
    case 'typeorm':
      if (c.sql === undefined) return `Batch them: one \`${c.receiver}.save(entities)\` / \`insert(rows)\`, or \`update({ id: In(ids) }, data)\` when every row gets the same data.`;
      break;
    default:
      break;
  }
  if (verb === 'insert') return 'Batch them: one `INSERT … SELECT * FROM unnest($1::…[], $2::…[])` (or a multi-row VALUES) with arrays of the values.';
  if (verb === 'delete') return 'Batch them: one `DELETE … WHERE <key> = ANY($1)` with an array of the keys.';
  return 'Batch them: one `UPDATE … SET … FROM unnest($1::…[], $2::…[]) AS v(…) WHERE <key> = v.<key>` with arrays of the values.';
}

/** The first call of `name(…)` inside the given nodes (drizzle's `eq(col, value)`). */
function findCall(nodes: Node[], name: string): (Node & { type: 'CallExpression'; arguments: Node[] }) | undefined {
  let found: (Node & { type: 'CallExpression'; arguments: Node[] }) | undefined;
  const look = (n: Node): void => {
    if (found || !n || typeof n !== 'object') return;
    if (n.type === 'CallExpression' && n.callee.type === 'Identifier' && n.callee.name === name && n.arguments.length === 2) {
      found = n as Node & { type: 'CallExpression'; arguments: Node[] };
      return;
    }
    for (const v of Object.values(n)) {
      if (Array.isArray(v)) v.forEach((x) => x && typeof x === 'object' && 'type' in x && look(x as Node));
      else if (v && typeof v === 'object' && 'type' in v) look(v as Node);
    }
  };
  nodes.forEach(look);
  return found;
}

/** Kysely's `.where('col', '=', value)`: the column and the value's source. */
function kyselyWhere(context: AppCodeContext, c: DbCall): { column: string; value: string } | undefined {
  for (let i = 0; i + 2 < c.args.length; i++) {
    const [a, op, v] = [unwrap(c.args[i]), unwrap(c.args[i + 1]), c.args[i + 2]];
    if (a.type === 'StringLiteral' && op.type === 'StringLiteral' && op.value === '=') return { column: a.value, value: src(context, v) };
  }
  return undefined;
}

/** Knex's `.where('col', value)` or `.where({ col: value })`. */
function knexWhere(context: AppCodeContext, c: DbCall): { column: string; value: string } | undefined {
  for (let i = 0; i < c.args.length; i++) {
    const a = unwrap(c.args[i]);
    if (a.type === 'StringLiteral' && c.args[i + 1] && i > 0) return { column: a.value, value: src(context, c.args[i + 1]) };
    const w = whereKey(a);
    if (a.type === 'ObjectExpression' && w) return { column: w.key, value: src(context, w.value) };
  }
  return undefined;
}

/**
 * The relation the loop walks, when the collection is the result of a query on the parent
 * model and the loop's query reads the children by their foreign key to the element:
 * `for (const user of await prisma.user.findMany())` + `prisma.post.findMany({ where: { authorId: user.id } })`.
 */
function includeRelation(prisma: PrismaModelIndex | undefined, q: LoopQuery): { parentField: string; list: boolean } | undefined {
  const source = q.source;
  const c = q.call;
  if (!prisma || !source || source.client !== 'prisma' || !source.model || !c.model || !q.loop.item || q.via) return undefined;
  if (!['findMany', 'findFirst', 'findUnique', 'findFirstOrThrow', 'findUniqueOrThrow'].includes(source.operation) || c.operation !== 'findMany') return undefined;
  const parent = prisma.modelOfDelegate.get(source.model);
  const child = prisma.modelOfDelegate.get(c.model);
  const where = whereKey(c.args[0]);
  if (!parent || !child || !where) return undefined;
  const value = unwrap(where.value);
  if (value.type !== 'MemberExpression' || value.object.type !== 'Identifier' || value.object.name !== q.loop.item || value.property.type !== 'Identifier') return undefined;
  const ref = value.property.name;
  const relation = prisma.relations.find((r) => r.parent === parent && r.child === child && r.fk.length === 1 && r.fk[0] === where.key && r.refs[0] === ref);
  return relation && { parentField: relation.parentField, list: relation.list };
}

/**
 * The quick fix for the include case, when it is mechanical: the loop's query is exactly
 * `await <client>.<child>.findMany({ where: { <fk>: <item>.<ref> } })` and the parent query
 * has no `select`/`include`: add `include: { <field>: true }` there, read `<item>.<field>` here.
 */
function includeFix(context: AppCodeContext, q: LoopQuery): { title: string; edits: TextEdit[] } | undefined {
  const relation = includeRelation(context.prisma, q);
  const source = q.source;
  // A one-to-one relation reads as an object (or null), not the array findMany returned: not a mechanical swap.
  if (!relation || !source || !relation.list) return undefined;
  const arg = unwrap(q.call.args[0]);
  if (q.call.args.length !== 1 || arg.type !== 'ObjectExpression' || arg.properties.length !== 1) return undefined;
  const awaitMatch = /await\s+$/.exec(context.text.slice(Math.max(0, q.call.start - 40), q.call.start));
  if (!awaitMatch) return undefined;
  const awaitStart = q.call.start - awaitMatch[0].length;
  const include = `include: { ${relation.parentField}: true }`;
  const edits: TextEdit[] = [{ range: context.lines.rangeOf(awaitStart, q.call.node.end ?? q.call.end), newText: `${q.loop.item}.${relation.parentField}` }];
  const parentArg = source.args[0] ? unwrap(source.args[0]) : undefined;
  if (source.args.length > 1) return undefined;
  if (!parentArg) {
    const close = (source.node.end ?? 0) - 1;
    if (context.text[close] !== ')') return undefined;
    const open = context.text.lastIndexOf('(', close);
    edits.push({ range: context.lines.rangeOf(open + 1, close), newText: `{ ${include} }` });
  } else if (parentArg.type === 'ObjectExpression') {
    if (propValue(parentArg, 'select') || propValue(parentArg, 'include')) return undefined;
    const firstProp = parentArg.properties[0];
    if (firstProp) edits.push({ range: context.lines.rangeOf(firstProp.start ?? 0, firstProp.start ?? 0), newText: `${include}, ` });
    else edits.push({ range: context.lines.rangeOf(parentArg.start ?? 0, parentArg.end ?? 0), newText: `{ ${include} }` });
  } else return undefined;
  return { title: `Load ${relation.parentField} with include on the parent query`, edits };
}

/** Keys of a Prisma create's data that write relations: createMany cannot take them. */
const NESTED_WRITES = new Set(['create', 'createMany', 'connect', 'connectOrCreate', 'set', 'upsert', 'update', 'delete', 'disconnect']);

/**
 * The quick fix for `for (const x of xs) { await prisma.m.create({ data: … }) }` with nothing
 * else in the body and no nested relation writes: one `createMany` over `xs.map(…)`.
 */
function createManyFix(context: AppCodeContext, q: LoopQuery): { title: string; edits: TextEdit[] } | undefined {
  const c = q.call;
  const loop = q.loop.node;
  if (c.client !== 'prisma' || c.operation !== 'create' || loop.type !== 'ForOfStatement' || loop.await || !q.loop.item || !q.loop.collectionText) return undefined;
  // The fix calls `.map` on the collection: a Set or another iterable has none.
  if (!q.loop.collectionIsArray) return undefined;
  const body = loop.body.type === 'BlockStatement' ? loop.body.body : [loop.body];
  if (body.length !== 1 || body[0].type !== 'ExpressionStatement') return undefined;
  const expr = unwrap(body[0].expression);
  if (expr.type !== 'AwaitExpression' || unwrap(expr.argument) !== c.node) return undefined;
  const arg = c.args.length === 1 ? unwrap(c.args[0]) : undefined;
  if (!arg || arg.type !== 'ObjectExpression' || arg.properties.length !== 1) return undefined;
  const data = propValue(arg, 'data');
  // Only an object literal shows its keys: `data: row` may hold relation writes createMany cannot take.
  if (!data || unwrap(data).type !== 'ObjectExpression' || hasNestedWrite(data)) return undefined;
  const collection = src(context, loop.right);
  const newText = `await ${c.receiver}.${c.model}.createMany({ data: ${collection}.map((${q.loop.item}) => (${src(context, data)})) });`;
  return { title: `Insert all rows with one ${c.model}.createMany`, edits: [{ range: context.lines.rangeOf(loop.start ?? 0, loop.end ?? 0), newText }] };
}

function hasNestedWrite(n: Node): boolean {
  const u = unwrap(n);
  if (u.type !== 'ObjectExpression') return u.type !== 'Identifier' && u.type !== 'MemberExpression' && !u.type.endsWith('Literal') && u.type !== 'CallExpression' && u.type !== 'TemplateLiteral' && u.type !== 'ConditionalExpression' && u.type !== 'LogicalExpression' && u.type !== 'BinaryExpression' && u.type !== 'NewExpression';
  return u.properties.some((p) => {
    if (p.type !== 'ObjectProperty') return true;
    const value = unwrap(p.value as Node);
    if (value.type === 'ObjectExpression') return value.properties.some((vp) => vp.type === 'ObjectProperty' && !vp.computed && vp.key.type === 'Identifier' && NESTED_WRITES.has(vp.key.name)) || hasNestedWrite(value);
    return false;
  });
}
