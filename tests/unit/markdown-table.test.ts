/** The tables the verify items and benchmarks print keep the shape bench/RESULTS.md pastes in. */
import { describe, expect, it } from 'vitest';
import { markdownHeader, markdownRow, markdownTable } from '../../harness/markdown-table';

describe('markdown tables', () => {
  it('prints the header, its rule and one line per row, cells between " | "', () => {
    expect(
      markdownTable(
        ['check', 'result', 'detail'],
        [
          ['cfn-lint: zero errors', 'pass', '0 errors'],
          ['bundles', 'FAIL', 3],
        ],
      ),
    ).toBe(
      [
        '| check | result | detail |',
        '|---|---|---|',
        '| cfn-lint: zero errors | pass | 0 errors |',
        '| bundles | FAIL | 3 |',
      ].join('\n'),
    );
  });

  it('prints a header alone when there are no rows', () => {
    expect(markdownTable(['a', 'b'], [])).toBe('| a | b |\n|---|---|');
    expect(markdownHeader(['only'])).toBe('| only |\n|---|');
    expect(markdownRow([1, 'x'])).toBe('| 1 | x |');
  });
});
