/**
 * auto_explain log entries: "… LOG:  duration: 12.3 ms  plan:" followed by the plan in any
 * EXPLAIN format (auto_explain.log_format text/json/yaml/xml), with the statement's text first.
 * In the server log every line after the first starts with a tab (syslog writes it as "#011"
 * behind its own prefix); sent to the client (auto_explain.log_level = notice) the lines come
 * as they are, followed by whatever psql printed next.
 */
import { LOG_LINE } from './input-noise';
import type { UnwrappedLines } from './psql-unwrap';

const HEADER = /(?:^|[\s:])duration: ([\d.]+) ms {1,2}plan:\s*(.*)$/;
/** "Jan  1 10:00:00 host postgres[123]: [3-2] " — syslog's prefix, on every line. */
const SYSLOG = /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ [^\s:]+\[\d+\]: \[\d+-\d+\] /;

export interface AutoExplainHeader {
  durationMs: number;
  /** Text after "plan:" on the header line itself (rare: a flattened log). */
  rest: string;
}

export function autoExplainHeader(content: string): AutoExplainHeader | undefined {
  if (!content.includes('plan:')) return undefined;
  const m = HEADER.exec(content);
  return m ? { durationMs: Number(m[1]), rest: m[2] } : undefined;
}

/** Strips syslog prefixes (and its "#011" tabs) when the input is a syslog extract; else undefined. */
export function stripSyslog(lines: string[]): string[] | undefined {
  const first = lines.find((l) => l.trim() !== '');
  if (first === undefined || !SYSLOG.test(first)) return undefined;
  return lines.map((l) => {
    const m = SYSLOG.exec(l);
    return m ? l.slice(m[0].length).replace(/#011/g, '\t') : l;
  });
}

export interface LogEntryBody extends UnwrappedLines {
  /** Index of the first input line after the entry. */
  end: number;
}

/**
 * The lines of the entry whose header is at `header`: in a server log, the tab-indented lines
 * that follow (one tab removed); as a client notice, everything up to the next message (the
 * plan's own reader stops where the plan ends).
 */
export function logEntryBody(lines: string[], lineNumbers: number[], header: number, rest: string): LogEntryBody {
  const out: string[] = [];
  const numbers: number[] = [];
  if (rest.trim() !== '') {
    out.push(rest);
    numbers.push(lineNumbers[header]);
  }
  let i = header + 1;
  const tabbed = i < lines.length && lines[i].startsWith('\t');
  for (; i < lines.length; i++) {
    const line = lines[i];
    if (tabbed) {
      if (!line.startsWith('\t')) break;
      out.push(line.slice(1));
    } else {
      if (LOG_LINE.test(line) || autoExplainHeader(line)) break;
      out.push(line);
    }
    numbers.push(lineNumbers[i]);
  }
  return { lines: out, lineNumbers: numbers, end: i };
}
