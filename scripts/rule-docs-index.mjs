// Generates docs/rules/README.md, the index of every rule id, and the rule id list of
// schemas/pglens-config.schema.json (`rules` property names) from the rule registry:
// the families of src/core/lint/rule-ids.ts (every exported `*_RULE_IDS` list, and
// SYNTAX_ERROR_RULE_ID), each rule's default severity from the code that raises it, and a
// one-line description (the rule's `docs.description` where the registry has one, else the
// first sentence of its page docs/rules/<id>.md).
//
//   node scripts/rule-docs-index.mjs           write both                      (npm run docs:rules)
//   node scripts/rule-docs-index.mjs --check   exit 1 when either is out of date (test/unit/docs/rule-docs.test.ts)
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { require as tsRequire } from 'tsx/cjs/api';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DOCS = path.join(ROOT, 'docs', 'rules');
const INDEX = path.join(DOCS, 'README.md');
const CONFIG_SCHEMA = path.join(ROOT, 'schemas', 'pglens-config.schema.json');
export const REGENERATE = 'npm run docs:rules';

const load = (rel) => tsRequire(path.join(ROOT, rel), import.meta.url);

/** Readable names of the families rule-ids.ts defines; a new list gets its constant's name in words. */
const FAMILY_NAMES = {
  STATEMENT_RULE_IDS: ['statement', 'one SQL statement of a migration or query file (`pglens lint`, the editor)'],
  SCHEMA_RULE_IDS: ['schema', 'the schema after a whole file or migration set (`pglens lint`), and the live catalog'],
  PLAN_RULE_IDS: ['plan', 'an EXPLAIN plan (`pglens explain`, `pglens plan`, the plan viewer)'],
  HEALTH_RULE_IDS: ['index health', 'index usage of a live database (`pglens indexes`, `pglens health`)'],
  DATABASE_RULE_IDS: ['database health', 'the database checks of `pglens health` and the Health view'],
  QUERY_STATS_RULE_IDS: ['statement statistics', '`pg_stat_statements` (`pglens queries`)'],
  VERIFY_RULE_IDS: ['rollback verification', 'up → down → up (`pglens migrations verify`)'],
  APP_CODE_RULE_IDS: ['application code', 'TypeScript/JavaScript files (`pglens lint`)'],
  SYNTAX_ERROR_RULE_ID: ['parse', 'a statement PostgreSQL cannot parse'],
};

function familyName(constant) {
  return FAMILY_NAMES[constant] ?? [constant.replace(/_RULE_IDS?$/, '').toLowerCase().replace(/_/g, ' '), ''];
}

/** The families, in the order rule-ids.ts declares them. */
function families(ids) {
  const source = readFileSync(path.join(ROOT, 'src/core/lint/rule-ids.ts'), 'utf8');
  const position = (constant) => {
    const at = source.search(new RegExp(`export const ${constant}\\b`));
    return at < 0 ? Number.MAX_SAFE_INTEGER : at;
  };
  const out = [];
  for (const [constant, value] of Object.entries(ids)) {
    if (/_RULE_IDS$/.test(constant) && Array.isArray(value)) out.push({ constant, ids: [...value] });
    else if (constant === 'SYNTAX_ERROR_RULE_ID' && typeof value === 'string') out.push({ constant, ids: [value] });
  }
  out.sort((a, b) => position(a.constant) - position(b.constant) || a.constant.localeCompare(b.constant));
  const listed = new Set(out.flatMap((f) => f.ids));
  const other = [...(ids.ALL_RULE_IDS ?? [])].filter((id) => !listed.has(id));
  if (other.length > 0) out.push({ constant: 'OTHER_RULE_IDS', ids: other });
  return out;
}

/** Default severities and one-line descriptions the code states, by rule id: the rule registry (src/core/rules/registry.ts). */
function registry() {
  const severity = new Map();
  const description = new Map();
  const { RULE_REGISTRY } = load('src/core/rules/registry.ts');
  // A Prisma rule is the face of the SQL rule with its id: the SQL rule's entry, listed first, speaks for the id.
  for (const r of RULE_REGISTRY) {
    if (severity.has(r.id)) continue;
    severity.set(r.id, r.defaultSeverity);
    if (r.description) description.set(r.id, r.description);
  }
  return { severity, description };
}

/** The page's `**Default severity:** …` text, up to the next `·`. */
function pageSeverity(page) {
  return /^\*\*Default severity:\*\*\s*([^·\n]+?)\s*(?:·|$)/m.exec(page ?? '')?.[1];
}

/** The first sentence of the first paragraph of prose (after the title, the severity line and any heading). */
function firstSentence(page) {
  if (!page) return undefined;
  const lines = page.split('\n');
  const para = [];
  for (const line of lines.slice(1)) {
    const t = line.trim();
    if (para.length === 0 && (t === '' || t.startsWith('#') || t.startsWith('**Default severity:**'))) continue;
    if (t === '' || t.startsWith('#') || t.startsWith('```') || t.startsWith('|')) break;
    para.push(t);
  }
  const text = para.join(' ');
  let code = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '`') code = !code;
    if (code || !'.!?'.includes(c) || (i + 1 < text.length && !/\s/.test(text[i + 1]))) continue;
    if (/\b(e\.g|i\.e|cf|vs)$/i.test(text.slice(0, i))) continue;
    return text.slice(0, i + 1);
  }
  return text || undefined;
}

const cell = (s) => s.replace(/\r?\n/g, ' ').replace(/(?<!\\)\|/g, '\\|');

/** The index's text, generated from the code and the pages as they are now. */
export function renderRuleIndex() {
  const ids = load('src/core/lint/rule-ids.ts');
  const { severity, description } = registry();
  const groups = families(ids);
  const total = new Set(groups.flatMap((g) => g.ids)).size;
  const out = [
    '# Rule index',
    '',
    `<!-- Generated by \`${REGENERATE}\` (scripts/rule-docs-index.mjs) from src/core/lint/rule-ids.ts and the rule registries. Do not edit by hand. -->`,
    '',
    `Every rule id pglens reports (${total}), by family. Rule ids are a public contract: diagnostics, JSON and`,
    'SARIF output, suppressions and `.pglens.json` `"rules"` use them. Each page says what the rule finds, what',
    'happens in production, and the fix. The default severity is the one the code uses (a qualifier in',
    'parentheses comes from the rule\'s page); `"rules": { "<id>": "off" | "info" | "warning" | "error" }` in',
    '`.pglens.json` changes it.',
    '',
    '| family | rules | what it reads |',
    '| --- | ---: | --- |',
    ...groups.map((g) => {
      const [name, what] = familyName(g.constant);
      return `| [${name}](#${anchor(name)}) | ${g.ids.length} | ${cell(what)} |`;
    }),
  ];
  for (const g of groups) {
    const [name] = familyName(g.constant);
    out.push('', `## ${name}`, '', '| rule | default severity | description |', '| --- | --- | --- |');
    for (const id of [...g.ids].sort()) {
      const file = path.join(DOCS, `${id}.md`);
      const page = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
      const onPage = pageSeverity(page);
      const code = severity.get(id);
      let sev = code ?? onPage?.split(/\s/)[0] ?? '—';
      // The page's qualifier ("warning (error past `errorSeconds`)") when it states the same default.
      if (onPage && onPage.split(/\s/)[0] === sev && onPage.length > sev.length) sev = onPage;
      const desc = description.get(id) ?? firstSentence(page) ?? '(no page yet)';
      const link = page ? `[\`${id}\`](${id}.md)` : `\`${id}\``;
      out.push(`| ${link} | ${cell(sev)} | ${cell(desc)} |`);
    }
  }
  return out.join('\n') + '\n';
}

/** GitHub's heading anchor for a plain lowercase heading. */
function anchor(heading) {
  return heading.toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-');
}

/** schemas/pglens-config.schema.json with `rules`' property names set to every rule id of the registry, sorted. */
export function renderConfigSchema() {
  const { registryRuleIds } = load('src/core/rules/registry.ts');
  const schema = JSON.parse(readFileSync(CONFIG_SCHEMA, 'utf8'));
  schema.properties.rules.propertyNames.enum = [...registryRuleIds()].sort();
  return JSON.stringify(schema, null, 2) + '\n';
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outputs = [
    { file: INDEX, text: renderRuleIndex(), count: (text) => ` (${text.split('\n').filter((l) => l.startsWith('| [`') || l.startsWith('| `')).length} rules)` },
    { file: CONFIG_SCHEMA, text: renderConfigSchema(), count: () => '' },
  ];
  let stale = false;
  for (const { file, text, count } of outputs) {
    const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    const shown = path.relative(process.cwd(), file) || file;
    if (process.argv.includes('--check')) {
      if (current !== text) {
        console.error(`${shown} is out of date with the rule registry (src/core/rules/registry.ts, src/core/lint/rule-ids.ts, the rules and their pages): regenerate it with \`${REGENERATE}\``);
        stale = true;
      } else console.log(`${shown} is up to date`);
    } else {
      if (current !== text) writeFileSync(file, text);
      console.log(`${current === text ? 'unchanged' : 'wrote'} ${shown}${count(text)}`);
    }
  }
  if (stale) process.exit(1);
}
