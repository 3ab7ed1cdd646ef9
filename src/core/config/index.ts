/** `.pglens.json`: the typed configuration (`config.ts`) and its one loader (`load.ts`). */
export {
  CONFIG_FILE_NAME,
  DEFAULT_POSTGRES_VERSION,
  defaultConfig,
  isExcluded,
  isTransactionalFile,
  ruleSetting,
  type MigrationFolderSetting,
  type PglensConfig,
  type ResolvedRuleSetting,
  type RuleSetting,
} from './config';
export { findConfigFile, loadConfig, parseConfig, readConfigFile } from './load';
