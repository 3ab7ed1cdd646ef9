/** Shared vocabulary of the core: positions, ranges, findings. All positions are 0-based. */

export type Severity = 'error' | 'warning' | 'info';
export type SeveritySetting = Severity | 'off';

export interface Position {
  /** 0-based line. */
  line: number;
  /** 0-based character (UTF-16 code unit) within the line. */
  character: number;
}

export interface SourceRange {
  /** Character (UTF-16) offset into the file text. */
  startOffset: number;
  endOffset: number;
  start: Position;
  end: Position;
}

export interface SourceRef {
  file: string;
  range: SourceRange;
  /** The whole statement that defined the object, when it came from SQL: fixes insert follow-up DDL after it. */
  statementRange?: SourceRange;
}

export interface TextEdit {
  range: SourceRange;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  file: string;
  range: SourceRange;
  fix?: Fix;
}

export const SEVERITY_RANK: Record<Severity, number> = { info: 1, warning: 2, error: 3 };
