/**
 * A small English inflector for table names (naming-convention's plural and singular tables):
 * lower-case words, the irregular and uncountable nouns schemas use, and the regular endings.
 * `isPlural` and `isSingular` are both true of an uncountable word (`data`, `news`, `series`):
 * those are never reported either way.
 */

const IRREGULAR: ReadonlyArray<[singular: string, plural: string]> = [
  ['person', 'people'],
  ['man', 'men'],
  ['woman', 'women'],
  ['child', 'children'],
  ['mouse', 'mice'],
  ['goose', 'geese'],
  ['foot', 'feet'],
  ['tooth', 'teeth'],
  ['ox', 'oxen'],
  ['criterion', 'criteria'],
  ['phenomenon', 'phenomena'],
  ['datum', 'data'],
  ['medium', 'media'],
  ['curriculum', 'curricula'],
  ['index', 'indexes'],
  ['vertex', 'vertices'],
  ['matrix', 'matrices'],
  ['appendix', 'appendices'],
  ['cactus', 'cacti'],
  ['alumnus', 'alumni'],
  ['die', 'dice'],
  ['quiz', 'quizzes'],
  ['leaf', 'leaves'],
  ['thief', 'thieves'],
  ['half', 'halves'],
  ['shelf', 'shelves'],
  ['wolf', 'wolves'],
  ['calf', 'calves'],
  ['knife', 'knives'],
  ['wife', 'wives'],
  ['life', 'lives'],
  ['hero', 'heroes'],
  ['potato', 'potatoes'],
  ['tomato', 'tomatoes'],
  ['echo', 'echoes'],
  ['veto', 'vetoes'],
];

/** Words with one form for both (and plural-only words): never reported as the wrong number. */
const UNCOUNTABLE = new Set([
  'data', 'metadata', 'news', 'series', 'species', 'sheep', 'fish', 'deer', 'moose', 'bison', 'aircraft', 'equipment',
  'information', 'info', 'rice', 'money', 'feedback', 'staff', 'software', 'hardware', 'firmware', 'traffic', 'music',
  'analytics', 'statistics', 'stats', 'physics', 'mathematics', 'economics', 'ethics', 'politics', 'logistics',
  'settings', 'config', 'configuration', 'audio', 'media', 'evidence', 'knowledge', 'research', 'advice', 'luggage',
  'baggage', 'furniture', 'mail', 'email', 'spam', 'cash', 'inventory', 'stock', 'weather', 'progress', 'access',
  'history', 'auth', 'chaos', 'means', 'headquarters', 'pants', 'scissors', 'clothes', 'thanks', 'credentials', 'jeans',
  'gross', 'corps', 'kudos', 'usage', 'storage', 'homework', 'education', 'sms', 'mms', 'dns', 'gps', 'cms', 'rss',
  'aws', 'os', 'ios', 'macos', 'saas', 'paas', 'iaas', 'dbms', 'rdbms', 'ethos', 'pathos', 'cosmos',
  'provenance', 'compliance', 'governance', 'maintenance', 'attendance', 'insurance', 'assistance', 'guidance', 'poker',
  'chess', 'golf', 'billing', 'pricing', 'tracking', 'logging', 'messaging', 'routing', 'marketing', 'onboarding',
  'shipping', 'hosting', 'monitoring', 'scheduling', 'invoicing', 'processing', 'caching', 'indexing', 'training',
  'learning', 'networking', 'staffing', 'funding', 'housing', 'clothing', 'seating', 'parking', 'banking', 'accounting',
  'consulting', 'spending', 'sharding', 'lineage', 'telemetry', 'content', 'tooling', 'bandwidth', 'health',
]);

/** Singular words ending in -s that the endings below would take for plurals. */
const SINGULAR_S = new Set(['alias', 'canvas', 'gas', 'atlas', 'bias', 'lens', 'christmas', 'tennis', 'iris', 'chassis', 'trellis', 'metropolis', 'redis', 'pelvis', 'ibis', 'yes', 'this', 'has', 'was', 'does']);

/** Plurals ending in -us or -is (of -u and -i words) that look singular. */
const PLURAL_S = new Set(['menus', 'skus', 'gurus', 'emus', 'haikus', 'tutus', 'plateaus', 'bureaus', 'tableaus', 'taxis', 'skis', 'kiwis', 'wikis', 'emojis', 'apis', 'kpis', 'uris', 'rois', 'guis', 'cpus', 'gpus', 'tofus']);

/** Nouns in -ie whose plural ends in -ies (`movies`, not `movys`). */
const IE_NOUNS = /(?:movie|cookie|zombie|calorie|rookie|goalie|selfie|hippie|smoothie|brownie|prairie|sortie|budgie|newbie|freebie|genie|birdie|pie|tie|lie|auntie|bootie|hoodie|indie|veggie|foodie|techie|yuppie|walkie|talkie|specie)s$/;

/** -uses plurals of -use nouns (`houses`, `causes`), not of -us nouns (`statuses`, `buses`). */
const USE_NOUNS = /^(?:(?:ware|green|store|court|light|ware)?ho|ca|cla|pa|ab|exc|re|mis|f|m|spo|blo|r|ref|acc|)uses$/;

const SINGULAR_OF = new Map<string, string>([...IRREGULAR.map(([s, p]): [string, string] => [p, s]), ['indices', 'index'], ['axes', 'axis']]);
const PLURAL_OF = new Map(IRREGULAR);

/** Words ending in -s that are singular (`status`, `address`, `analysis`). */
function singularInS(word: string): boolean {
  if (SINGULAR_S.has(word)) return true;
  if (PLURAL_S.has(word)) return false;
  return /(?:ss|us|sis|xis|ous)$/.test(word);
}

export function isUncountable(word: string): boolean {
  return UNCOUNTABLE.has(word);
}

/** The plural of a lower-case word: `category` → `categories`, `person` → `people`; an uncountable or plural word as is. */
export function pluralize(word: string): string {
  if (word === '' || isUncountable(word) || SINGULAR_OF.has(word)) return word;
  const irregular = PLURAL_OF.get(word);
  if (irregular) return irregular;
  if (!/[a-z]$/.test(word)) return word;
  if (word.endsWith('s') && !singularInS(word)) return word;
  if (/(?:sis|xis)$/.test(word)) return `${word.slice(0, -2)}es`;
  if (/(?:s|x|z|ch|sh)$/.test(word)) return `${word}es`;
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  return `${word}s`;
}

/** The singular of a lower-case word: `categories` → `category`, `statuses` → `status`, `people` → `person`; a singular or uncountable word as is. */
export function singularize(word: string): string {
  if (word === '' || isUncountable(word) || PLURAL_OF.has(word)) return word;
  const irregular = SINGULAR_OF.get(word);
  if (irregular) return irregular;
  if (!word.endsWith('s') || singularInS(word)) return word;
  if (IE_NOUNS.test(word)) return word.slice(0, -1);
  if (/[^aeiou]ies$/.test(word) && word.length > 4) return `${word.slice(0, -3)}y`;
  if (/uses$/.test(word)) return USE_NOUNS.test(word) ? word.slice(0, -1) : word.slice(0, -2);
  if (/(?:cach|nich|headach|avalanch|psych|clich|quich|moustach)es$/.test(word)) return word.slice(0, -1);
  // -sses, -xes, -zzes, -ches, -shes (addresses, boxes, buzzes, batches, wishes)
  if (/(?:ss|x|zz|ch|sh)es$/.test(word)) return word.slice(0, -2);
  if (/(?:analys|cris|diagnos|thes|hypothes|parenthes|synops|ellips|synthes|emphas|genes|oas)es$/.test(word)) return `${word.slice(0, -2)}is`;
  if (/(?:aliases|biases|canvases|gases|atlases|lenses)$/.test(word)) return word.slice(0, -2);
  return word.slice(0, -1);
}

export function isPlural(word: string): boolean {
  if (isUncountable(word) || SINGULAR_OF.has(word)) return true;
  if (PLURAL_OF.has(word)) return false;
  return singularize(word) !== word;
}

export function isSingular(word: string): boolean {
  if (isUncountable(word) || PLURAL_OF.has(word)) return true;
  if (SINGULAR_OF.has(word)) return false;
  return singularize(word) === word;
}

/**
 * A snake_case name with its last word inflected (`user_account` → `user_accounts`): the last
 * word is the noun of a compound table name. A last word with no letters (`events_2024`) keeps the name as is.
 */
export function inflectLastWord(name: string, inflect: (word: string) => string): string {
  const m = /^(.*?)([a-z]+)$/.exec(name);
  if (!m) return name;
  return m[1] + inflect(m[2]);
}

/** The last word of a snake_case name (`user_accounts` → `accounts`); undefined when it holds no letters. */
export function lastWord(name: string): string | undefined {
  return /([a-z]+)$/.exec(name)?.[1];
}
