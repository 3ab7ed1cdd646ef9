import { stringList, walkNodesOf } from '../../sql/ast';
import type { Statement } from '../../sql/statement';
import { serialBaseType } from '../../schema/type-names';
import type { StatementContext, StatementRule } from '../rule';
import { alterTable, qualified, addedColumns } from '../rule-helpers';
import { nodeOf, type ColumnDef } from '../../sql/nodes';

/** Volatile functions (builtins and uuid-ossp's, pgcrypto's): a DEFAULT calling one is evaluated for every existing row. */
const VOLATILE = new Set([
  'random',
  'random_normal',
  'array_sample',
  'array_shuffle',
  'gen_random_uuid',
  'uuid_generate_v1',
  'uuid_generate_v1mc',
  'uuid_generate_v4',
  'uuidv4',
  'uuidv7',
  'uuid_generate_v7',
  'gen_random_bytes',
  'gen_salt',
  'clock_timestamp',
  'timeofday',
  'nextval',
  'currval',
  'lastval',
  'setval',
]);

/**
 * Builtin functions that are STABLE or IMMUTABLE in every overload (Postgres 15's pg_catalog,
 * without operator, index-support, type I/O and aggregate-support functions, which nobody calls
 * in a DEFAULT). Read with:
 * SELECT DISTINCT proname FROM pg_proc WHERE pronamespace = 'pg_catalog'::regnamespace AND prokind = 'f' …
 * AND proname NOT IN (SELECT proname FROM pg_proc WHERE provolatile = 'v'). Called unqualified or as pg_catalog.name.
 * Any other function is user-defined (or unknown) and VOLATILE unless declared otherwise.
 */
const NON_VOLATILE_BUILTINS = new Set(
  `
  abbrev abs acldefault aclexplode acos acosd acosh age area array_dims array_fill array_length array_lower
  array_ndims array_position array_positions array_remove array_replace array_to_json array_to_string
  array_to_tsvector array_upper ascii asin asind asinh atan atan2 atan2d atand atanh bit bit_count bit_length
  bool box bpchar broadcast btrim cardinality cash_words cbrt ceil ceiling center char char_length
  character_length chr cidr circle col_description concat concat_ws convert convert_from convert_to cos cosd cosh
  cot cotd current_database current_schema current_schemas current_setting current_user date date_bin date_part
  date_trunc datemultirange daterange decode degrees dexp diagonal diameter div dlog1 dlog10 dround dtrunc encode
  enum_first enum_last enum_range enum_send exp extract factorial family float4 float8 floor format format_type
  gcd generate_series generate_subscripts get_bit get_byte get_current_ts_config getdatabaseencoding
  getpgusername height host hostmask inet_client_addr inet_client_port inet_server_addr inet_server_port initcap
  int2 int4 int4inc int4multirange int4range int8 int8_sum int8multirange int8range interval is_normalized
  isclosed isempty isfinite ishorizontal isopen isparallel isperp isvertical json_array_elements
  json_array_elements_text json_array_length json_build_array json_build_object json_each json_each_text
  json_object json_object_keys json_populate_record json_populate_recordset json_strip_nulls json_to_record
  json_to_recordset json_to_tsvector json_typeof jsonb_array_elements jsonb_array_elements_text
  jsonb_array_length jsonb_build_array jsonb_build_object jsonb_each jsonb_each_text jsonb_insert jsonb_object
  jsonb_object_keys jsonb_path_exists jsonb_path_exists_tz jsonb_path_match jsonb_path_match_tz jsonb_path_query
  jsonb_path_query_array jsonb_path_query_array_tz jsonb_path_query_first jsonb_path_query_first_tz
  jsonb_path_query_tz jsonb_populate_record jsonb_populate_recordset jsonb_pretty jsonb_set jsonb_set_lax
  jsonb_strip_nulls jsonb_to_record jsonb_to_recordset jsonb_to_tsvector jsonb_typeof justify_days justify_hours
  justify_interval lcm left length like like_escape line ln log log10 lower lower_inc lower_inf lpad lseg ltrim
  macaddr macaddr8 macaddr8_set7bit make_date make_interval make_time make_timestamp make_timestamptz makeaclitem
  masklen md5 min_scale mod money multirange mxid_age name nameconcatoid netmask network normalize notlike now
  npoints num_nonnulls num_nulls numeric numeric_div_trunc numeric_exp numeric_inc numeric_ln numeric_log
  numeric_sqrt nummultirange numnode numrange obj_description octet_length oid oidvectortypes overlaps overlay
  parse_ident path pclose pg_available_extension_versions pg_available_extensions pg_backend_pid
  pg_char_to_encoding pg_client_encoding pg_collation_for pg_column_compression pg_column_is_updatable
  pg_column_size pg_conf_load_time pg_config pg_current_snapshot pg_current_xact_id
  pg_current_xact_id_if_assigned pg_cursor pg_describe_object pg_encoding_max_length pg_encoding_to_char
  pg_extension_update_paths pg_filenode_relation pg_identify_object pg_identify_object_as_address
  pg_index_column_has_property pg_index_has_property pg_indexam_has_property pg_indexam_progress_phasename
  pg_is_other_temp_schema pg_listening_channels pg_lsn pg_mcv_list_items pg_my_temp_schema pg_options_to_table
  pg_partition_root pg_postmaster_start_time pg_prepared_statement pg_relation_filenode pg_relation_filepath
  pg_relation_is_publishable pg_relation_is_updatable pg_sequence_parameters pg_settings_get_flags
  pg_show_all_settings pg_size_bytes pg_size_pretty pg_snapshot_xip pg_snapshot_xmax pg_snapshot_xmin
  pg_tablespace_databases pg_tablespace_location pg_timezone_abbrevs pg_timezone_names pg_trigger_depth pg_typeof
  pg_visible_in_snapshot phraseto_tsquery pi plainto_tsquery point polygon popen position pow power querytree
  quote_ident quote_literal quote_nullable radians radius range_merge regclass regexp_count regexp_instr
  regexp_like regexp_match regexp_matches regexp_replace regexp_split_to_array regexp_split_to_table
  regexp_substr repeat replace reverse right round row_security_active row_to_json rpad rtrim
  satisfies_hash_partition scale session_user set_bit set_byte set_masklen setweight sha224 sha256 sha384 sha512
  shobj_description sign similar_escape similar_to_escape sin sind sinh slope split_part sqrt statement_timestamp
  string_to_array string_to_table strip strpos substr substring tan tand tanh text textlen time timestamp
  timestamptz timetz timezone to_ascii to_char to_date to_hex to_json to_jsonb to_number to_regclass
  to_regcollation to_regnamespace to_regoper to_regoperator to_regproc to_regprocedure to_regrole to_regtype
  to_timestamp to_tsquery to_tsvector transaction_timestamp translate trim_array trim_scale trunc ts_debug
  ts_delete ts_filter ts_headline ts_lexize ts_parse ts_rank ts_rank_cd ts_token_type tsmultirange tsquery_phrase
  tsrange tstzmultirange tstzrange tsvector_to_array txid_current txid_current_if_assigned txid_current_snapshot
  txid_snapshot_xip txid_snapshot_xmax txid_snapshot_xmin txid_visible_in_snapshot unistr unnest upper upper_inc
  upper_inf varbit varchar version websearch_to_tsquery width width_bucket xid xml xml_is_well_formed
  xml_is_well_formed_content xml_is_well_formed_document xmlcomment xmlexists xmlvalidate xpath xpath_exists
  array_append array_prepend array_cat`
    .trim()
    .split(/\s+/),
);

/** Immutable functions of uuid-ossp and pgcrypto, often called qualified with the extension's schema (`extensions.uuid_nil()`). */
const NON_VOLATILE_EXTENSION_FUNCTIONS = new Set(
  'uuid_nil uuid_ns_dns uuid_ns_oid uuid_ns_url uuid_ns_x500 uuid_generate_v3 uuid_generate_v5 armor dearmor crypt digest hmac encrypt decrypt encrypt_iv decrypt_iv'.split(' '),
);

interface Call {
  schema?: string;
  name: string;
}

/** What pglens knows of a function's volatility from the file: the statement that last declared it. */
interface Declared {
  volatile: boolean;
  statement: Statement;
  verb: 'CREATE FUNCTION' | 'ALTER FUNCTION';
}

type Cause = { kind: 'builtin'; call: Call } | { kind: 'declared'; call: Call; declared: Declared } | { kind: 'unknown'; call: Call };

/** The function call of a DEFAULT expression that makes it volatile, most certain first. */
function volatileCall(expr: unknown, context: StatementContext): Cause | undefined {
  const calls: Call[] = [];
  walkNodesOf(expr, 'FuncCall', (node) => {
    const names = stringList(node.funcname).map((n) => n.toLowerCase());
    const name = names[names.length - 1];
    if (name) calls.push({ schema: names.length > 1 ? names[names.length - 2] : undefined, name });
  });
  // Extensions live in any schema (`public.uuid_generate_v4()`): their functions are known by name alone.
  const found = calls.find((c) => VOLATILE.has(c.name));
  if (found) return { kind: 'builtin', call: found };
  let declaredVolatile: Cause | undefined;
  let unknown: Cause | undefined;
  for (const call of calls) {
    if (call.schema === 'pg_catalog' || NON_VOLATILE_EXTENSION_FUNCTIONS.has(call.name)) continue;
    if (call.schema === undefined && NON_VOLATILE_BUILTINS.has(call.name)) continue;
    const declared = declaration(context, call);
    if (!declared) unknown ??= { kind: 'unknown', call };
    else if (declared.volatile) declaredVolatile ??= { kind: 'declared', call, declared };
  }
  return declaredVolatile ?? unknown;
}

/** The last CREATE FUNCTION or ALTER FUNCTION of this name earlier in the file (schemas must agree when both are written). */
function declaration(context: StatementContext, call: Call): Declared | undefined {
  let found: Declared | undefined;
  for (const statement of context.statements) {
    if (statement.index >= context.statement.index) break;
    const create = nodeOf(statement.ast, 'CreateFunctionStmt');
    const alter = nodeOf(statement.ast, 'AlterFunctionStmt');
    const names = stringList(create ? create.funcname : alter?.objtype === 'OBJECT_FUNCTION' ? alter.func?.objname : undefined).map((n) => n.toLowerCase());
    if (names.length === 0 || create?.is_procedure || names[names.length - 1] !== call.name) continue;
    const schema = names.length > 1 ? names[names.length - 2] : undefined;
    if (schema !== undefined && call.schema !== undefined && schema !== call.schema) continue;
    const volatility = ((create ? create.options : alter?.actions) ?? [])
      .map((o) => nodeOf(o, 'DefElem'))
      .filter((d) => d?.defname === 'volatility')
      .map((d) => String(nodeOf(d?.arg, 'String')?.sval ?? '').toLowerCase())
      .pop();
    // CREATE FUNCTION without STABLE or IMMUTABLE is VOLATILE; ALTER FUNCTION without one leaves it as it was.
    if (create) found = { volatile: volatility === undefined || volatility === 'volatile', statement, verb: 'CREATE FUNCTION' };
    else if (volatility !== undefined) found = { volatile: volatility === 'volatile', statement, verb: 'ALTER FUNCTION' };
  }
  return found;
}

function callName(call: Call): string {
  return call.schema ? `${call.schema}.${call.name}` : call.name;
}

/** ADD COLUMN with a volatile default (or serial/identity/stored generated column) rewrites the table. */
export const rule: StatementRule = {
  id: 'volatile-default-rewrite',
  kind: 'statement',
  defaultSeverity: 'warning',
  docs: { description: 'ADD COLUMN with a volatile DEFAULT rewrites the whole table under an ACCESS EXCLUSIVE lock.' },
  check(context) {
    const target = alterTable(context);
    if (!target?.existing) return;
    for (const def of addedColumns(target)) {
      const cause = rewriteCause(def, context);
      if (!cause) continue;
      context.report({
        message:
          `Adding column ${def.colname} with ${cause.what} rewrites all of ${qualified(target.relation)} (and rebuilds its indexes) ` +
          `under an ACCESS EXCLUSIVE lock${cause.unless ?? ''}: reads and writes wait for the whole rewrite. Add the column without the default, ` +
          'set the default in a separate statement, and backfill existing rows in batches.',
        range: context.statement.constructRange(def.location),
      });
    }
  },
};

function rewriteCause(def: ColumnDef, context: StatementContext): { what: string; unless?: string } | undefined {
  const postgresVersion = context.postgresVersion;
  const typeNames = def.typeName?.names ?? [];
  const serial = typeNames.length === 1 ? nodeOf(typeNames[0], 'String')?.sval : undefined;
  if (serial !== undefined && serialBaseType(serial)) return { what: `a ${serial} type (DEFAULT nextval())` };
  for (const c of def.constraints ?? []) {
    const con = nodeOf(c, 'Constraint');
    if (!con) continue;
    if (con.contype === 'CONSTR_IDENTITY') return { what: 'an identity (every row gets a sequence value)' };
    if (con.contype === 'CONSTR_GENERATED' && con.generated_kind !== 'v') return { what: 'a stored generated expression' };
    if (con.contype !== 'CONSTR_DEFAULT') continue;
    const cause = volatileCall(con.raw_expr, context);
    if (cause?.kind === 'builtin') return { what: `the volatile DEFAULT ${cause.call.name}()` };
    if (cause?.kind === 'declared') {
      const { verb, statement } = cause.declared;
      const how = verb === 'CREATE FUNCTION' ? 'declares it neither STABLE nor IMMUTABLE' : 'makes it VOLATILE';
      return { what: `the DEFAULT ${callName(cause.call)}(), a VOLATILE function (${verb} on line ${statement.range.start.line + 1} ${how}),` };
    }
    if (cause?.kind === 'unknown') {
      const name = callName(cause.call);
      return {
        what: `the DEFAULT ${name}()`,
        unless:
          ` unless ${name} is declared STABLE or IMMUTABLE (a function is VOLATILE unless its CREATE FUNCTION says otherwise, ` +
          'and pglens sees no declaration of it earlier in this file)',
      };
    }
    // Before Postgres 11 every non-null default rewrote the table.
    if (postgresVersion < 11 && !nodeOf(con.raw_expr, 'A_Const')?.isnull) return { what: `a DEFAULT (Postgres ${postgresVersion} rewrites for any default)` };
  }
  return undefined;
}
