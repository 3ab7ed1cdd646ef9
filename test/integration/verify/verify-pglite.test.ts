import { pgliteTarget } from '../../../src/core/migrations/verify/targets';
import { loadSqlParser } from '../../../src/core/sql/parse';
import { describeVerifyContract } from './verify-contract';

before(() => loadSqlParser());

describeVerifyContract('embedded PGlite', { create: (setup, options) => pgliteTarget([], setup, options) });
