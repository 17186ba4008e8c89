/**
 * The SVG charts of bench/RESULTS.md: well-formed SVG (parsed by Python's XML parser, not matched
 * by pattern), their texts present, budgets marked where they belong, the same bytes every time.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { type BarChart, barChartSvg, type LineChart, lineChartSvg } from '../../harness/svg-chart';

interface ParsedSvg {
  tag: string;
  width: string;
  height: string;
  /** Every text element's content, in document order. */
  texts: string[];
  /** The drawn data points and bars: series index, data index, fill and x of their transform. */
  marks: { series: number; data: number; fill: string; x: number | null }[];
  background: string | null;
  /** The SVG's own <title>. */
  title: string | null;
}

/** Parses `svg` with Python's standard XML parser (it throws on anything not well-formed). */
function parse(svg: string): ParsedSvg {
  const script = `
import json, re, sys, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.read())
marks = []
for el in root.iter():
    if el.get('ecmeta_ssr_type') == 'chart':
        m = re.match(r'matrix\\(([^)]*)\\)', el.get('transform', ''))
        marks.append({'series': int(el.get('ecmeta_series_index')), 'data': int(el.get('ecmeta_data_index')),
                      'fill': el.get('fill'), 'x': float(m.group(1).split(',')[4]) if m else None})
print(json.dumps({'tag': root.tag, 'width': root.get('width'), 'height': root.get('height'),
                  'texts': [t.text or '' for t in root.iter('{http://www.w3.org/2000/svg}text')],
                  'marks': marks,
                  'title': root.findtext('{http://www.w3.org/2000/svg}title'),
                  'background': next((el.get('fill') for el in root if el.tag.endswith('rect')), None)}))
`;
  const result = spawnSync('python3', ['-c', script], { input: svg, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`not well-formed SVG: ${result.stderr}`);
  return JSON.parse(result.stdout) as ParsedSvg;
}

const line: LineChart = {
  title: 'History page & depth',
  caption: '2026-12-03 17:40 UTC, Test CPU (2 cores)',
  x: { title: 'messages in the channel (log scale)', log: true },
  y: { title: 'read latency (ms): p50 solid, p99 dashed', log: true },
  series: [
    {
      name: 'Cassandra',
      points: [
        [1e4, 0.9],
        [1e5, 1.1],
        [1e6, 0.85],
      ],
    },
    {
      name: 'Cassandra',
      dashed: true,
      colorIndex: 0,
      points: [
        [1e4, 8],
        [1e5, 6],
        [1e6, 11],
      ],
    },
    {
      name: 'MongoDB <store>',
      colorIndex: 1,
      points: [
        [1e3, 200],
        [1e4, 1800],
      ],
    },
  ],
};

const bars: BarChart = {
  title: 'Cold start',
  caption: '2026-12-03 17:40 UTC, Test CPU (2 cores)',
  value: { title: 'load over hello-world (ms)' },
  category: { title: 'function' },
  bars: [
    { label: 'get-me', value: 60, budget: 100 },
    { label: 'not-found', value: 30, budget: 15 },
    { label: 'login', value: 120, budget: 100 },
    { label: 'no-budget', value: 5 },
  ],
};

describe('lineChartSvg', () => {
  it('is a well-formed SVG on a white card with the title, caption, axis titles and series', () => {
    const svg = parse(lineChartSvg(line));
    expect(svg.tag).toBe('{http://www.w3.org/2000/svg}svg');
    expect([svg.width, svg.height]).toEqual(['720', '420']);
    expect(svg.background).toBe('#ffffff');
    expect(svg.title).toBe('History page & depth');
    expect(svg.texts).toEqual(
      expect.arrayContaining([
        'History page & depth',
        '2026-12-03 17:40 UTC, Test CPU (2 cores)',
        'messages in the channel (log scale)',
        'read latency (ms): p50 solid, p99 dashed',
        'Cassandra',
        'MongoDB <store>',
      ]),
    );
    // One legend entry per name: a store's p50 and p99 lines share one.
    expect(svg.texts.filter((t) => t === 'Cassandra')).toHaveLength(1);
  });

  it('draws each series in its colour, the dashed one in its partner’s', () => {
    const { marks } = parse(lineChartSvg(line));
    const fills = (series: number) => [
      ...new Set(marks.filter((m) => m.series === series).map((m) => m.fill)),
    ];
    expect(marks.filter((m) => m.series === 2)).toHaveLength(2);
    expect(fills(1)).toEqual(fills(0));
    expect(fills(2)).not.toEqual(fills(0));
  });

  it('renders the same bytes every time', () => {
    expect(lineChartSvg(line)).toBe(lineChartSvg(line));
    expect(lineChartSvg(line)).not.toMatch(/animation|@keyframes/);
  });
});

describe('barChartSvg', () => {
  it('is a well-formed SVG with a row per label, the axis titles and the legend', () => {
    const svg = parse(barChartSvg(bars));
    expect(svg.tag).toBe('{http://www.w3.org/2000/svg}svg');
    expect(svg.background).toBe('#ffffff');
    expect(svg.texts).toEqual(
      expect.arrayContaining([
        'Cold start',
        '2026-12-03 17:40 UTC, Test CPU (2 cores)',
        'load over hello-world (ms)',
        'function',
        'get-me',
        'not-found',
        'login',
        'no-budget',
        'within budget',
        'over budget',
        'budget',
      ]),
    );
  });

  it('colours the bars past their budget apart, and marks each budget', () => {
    const { marks } = parse(barChartSvg(bars));
    // Series 0: within budget, 1: over, 2: the budget markers. Rows are drawn bottom up.
    const within = marks.filter((m) => m.series === 0);
    const over = marks.filter((m) => m.series === 1);
    const budgets = marks.filter((m) => m.series === 2);
    expect(within).toHaveLength(2); // get-me and no-budget
    expect(over).toHaveLength(2); // not-found and login
    expect(new Set(over.map((m) => m.fill)).size).toBe(1);
    expect(over[0]?.fill).not.toBe(within[0]?.fill);
    expect(budgets).toHaveLength(3);
    // The markers sit at their values: both 100 ms budgets at one x, the 15 ms one left of them.
    const [login, notFound, getMe] = budgets.map((m) => m.x as number);
    expect(login).toBe(getMe);
    expect(notFound).toBeLessThan(login as number);
  });

  it('renders the same bytes every time', () => {
    expect(barChartSvg(bars)).toBe(barChartSvg(bars));
  });
});
