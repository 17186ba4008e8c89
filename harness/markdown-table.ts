/**
 * Markdown tables as the verification items and benchmarks print them: a header row, a `|---|`
 * row, one line per row, cells separated by ` | ` (so a report pastes into bench/RESULTS.md as is).
 */

export type Cell = string | number;

/** One table row: `| a | b |`. */
export const markdownRow = (cells: readonly Cell[]) => `| ${cells.join(' | ')} |`;

/** The header row and its rule: `| a | b |` and `|---|---|`. */
export const markdownHeader = (columns: readonly string[]) =>
  `${markdownRow(columns)}\n|${columns.map(() => '---').join('|')}|`;

/** A whole table, header and rows, as one string of lines. */
export const markdownTable = (columns: readonly string[], rows: readonly (readonly Cell[])[]) =>
  [markdownHeader(columns), ...rows.map(markdownRow)].join('\n');
