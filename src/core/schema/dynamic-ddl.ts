/** Statements a DO block (or a function it calls) may hide: DDL on tables, which a replay cannot follow. */
export const DYNAMIC_DDL = /\b(?:create|alter|drop)\s+(?:(?:temp|temporary|unlogged|foreign)\s+)?table\b|\brename\s+(?:column\s+)?\w+\s+to\b/i;
