/**
 * Charts as SVG strings, for the figures in bench/RESULTS.md. Apache ECharts renders them in its
 * server-side mode: SVG built as a string, with no DOM, no canvas and no native module.
 *
 * The output is meant to be committed, so it is deterministic (no animation, ids normalized: see
 * stableIds) and readable where GitHub shows it in a light or a dark theme (a white card with
 * dark text). Every chart has axis titles with units and a caption naming when and where its
 * figures were measured (see runCaption).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import * as echarts from 'echarts';
import { cpuDescription } from './machine';

const projectRoot = resolve(__dirname, '..');
/** Where the commands write their charts, next to the bench/RESULTS.md that embeds them. */
export const chartsDir = join(projectRoot, 'bench', 'charts');

/** Tableau 10: distinct on white and for the common colour-vision deficiencies. */
const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];
const TEXT = '#24292f';
const MUTED = '#57606a';
const WITHIN = '#4e79a7';
const OVER = '#e15759';
const BUDGET = '#24292f';
const FONT = 'Helvetica, Arial, sans-serif';

export interface ChartFrame {
  title: string;
  /** One line under the title: the run's date and machine (see runCaption). */
  caption: string;
  width?: number;
  height?: number;
}

export interface Axis {
  /** With its unit, e.g. "latency (ms)". */
  title: string;
  /** A log scale for figures spanning orders of magnitude. */
  log?: boolean;
}

export interface LineSeries {
  /** Series of one name (a route's p50 and p99 lines) share one legend entry. */
  name: string;
  /** [x, y] pairs; a depth a store could not be measured at is simply left out. */
  points: readonly (readonly [number, number])[];
  dashed?: boolean;
  /** Series that belong together (a route's p50 and p99) share a colour; default: their index. */
  colorIndex?: number;
}

export interface LineChart extends ChartFrame {
  x: Axis;
  y: Axis;
  series: readonly LineSeries[];
}

export interface Bar {
  label: string;
  value: number;
  /** The bar's own budget, drawn as a marker across it; a bar past it is coloured as over. */
  budget?: number;
}

export interface BarChart extends ChartFrame {
  /** The axis of the bars' values (horizontal: the bars lie along it). */
  value: Axis;
  /** The axis of the labels, one bar per label, top to bottom in the given order. */
  category: { title: string };
  bars: readonly Bar[];
  /** Legend names of the bars within and over their budget, and of the budget marker. */
  names?: { within?: string; over?: string; budget?: string };
}

/** "2026-12-03 17:40 UTC, AMD EPYC (2 cores)": when and on what a run's figures were measured. */
export function runCaption(date: Date = new Date()): string {
  const when = `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `${when}, ${cpuDescription()}`;
}

function frame(chart: ChartFrame) {
  return {
    animation: false,
    backgroundColor: '#ffffff',
    color: PALETTE,
    textStyle: { fontFamily: FONT, color: TEXT },
    title: {
      text: chart.title,
      subtext: chart.caption,
      left: 'center',
      textStyle: { fontSize: 16, color: TEXT, fontFamily: FONT },
      subtextStyle: { fontSize: 12, color: MUTED, fontFamily: FONT },
    },
    // Wide gaps: text widths are estimated without a font at hand, and viewers' fonts differ.
    legend: {
      bottom: 4,
      itemGap: 28,
      selectedMode: false,
      textStyle: { color: TEXT, fontFamily: FONT },
    },
  };
}

function axis(spec: Axis, position: 'x' | 'y') {
  return {
    type: spec.log ? ('log' as const) : ('value' as const),
    name: spec.title,
    nameLocation: 'middle' as const,
    nameGap: position === 'x' ? 36 : 50,
    nameTextStyle: { color: TEXT, fontSize: 13, fontFamily: FONT },
    axisLine: { show: true, lineStyle: { color: MUTED } },
    axisLabel: { color: TEXT, fontFamily: FONT },
    splitLine: { lineStyle: { color: '#d0d7de' } },
    // A log axis whose figures all sit within one decade still shows a tick at each end.
    ...(spec.log ? { logBase: 10 } : {}),
  };
}

/**
 * ECharts numbers each instance's SVG ids ("zr3-c0") and, across instances, its CSS classes
 * ("zr3-cls-41"), so two renders of the same chart in one process differ. The prefix is made the
 * same for every chart and the classes are renumbered in order of appearance: safe, because each
 * SVG file stands alone (an <img> in markdown).
 */
function stableIds(svg: string): string {
  const classes = new Map<string, string>();
  return svg.replace(/\bzr\d+-/g, 'chart-').replace(/\bchart-cls-\d+\b/g, (name) => {
    const renamed = classes.get(name) ?? `chart-cls-${classes.size}`;
    classes.set(name, renamed);
    return renamed;
  });
}

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The chart's title as the SVG's own <title>: its accessible name, and a tooltip in a viewer. */
const withTitle = (svg: string, title: string) =>
  svg.replace(/^<svg[^>]*>/, (open) => `${open}\n<title>${escapeXml(title)}</title>`);

function render(chart: ChartFrame, option: Record<string, unknown>): string {
  const instance = echarts.init(null, null, {
    renderer: 'svg',
    ssr: true,
    width: chart.width ?? 720,
    height: chart.height ?? 420,
  });
  try {
    instance.setOption(option);
    return withTitle(stableIds(instance.renderToSVGString()), chart.title);
  } finally {
    instance.dispose();
  }
}

/** Lines of y over x (e.g. latency over history depth), one per series. */
export function lineChartSvg(chart: LineChart): string {
  return render(chart, {
    ...frame(chart),
    grid: { top: 80, bottom: 125, left: 70, right: 50 },
    xAxis: axis(chart.x, 'x'),
    yAxis: axis(chart.y, 'y'),
    series: chart.series.map((series, index) => {
      const color = PALETTE[(series.colorIndex ?? index) % PALETTE.length];
      return {
        name: series.name,
        type: 'line',
        silent: true,
        data: series.points.map(([x, y]) => [x, y]),
        symbol: 'circle',
        symbolSize: 7,
        itemStyle: { color },
        lineStyle: { color, width: 2, type: series.dashed ? 'dashed' : 'solid' },
      };
    }),
  });
}

/**
 * Horizontal bars, one per label, each with its budget marked across it; a bar past its budget
 * is coloured apart (two series stacked on one axis, so each bar keeps its place). Over 60 lines
 * because it is one declarative ECharts option: split up, it would read worse.
 */
export function barChartSvg(chart: BarChart): string {
  const names = {
    within: chart.names?.within ?? 'within budget',
    over: chart.names?.over ?? 'over budget',
    budget: chart.names?.budget ?? 'budget',
  };
  // Listed top to bottom: ECharts draws a category axis from the bottom up.
  const bars = [...chart.bars].reverse();
  const isOver = (bar: Bar) => bar.budget !== undefined && bar.value > bar.budget;
  const rowHeight = 18;
  const height = chart.height ?? 200 + bars.length * rowHeight;
  const bar = (name: string, color: string, keep: (b: Bar) => boolean) => ({
    name,
    type: 'bar',
    silent: true,
    stack: 'bars',
    barWidth: rowHeight * 0.6,
    itemStyle: { color },
    data: bars.map((b) => (keep(b) ? b.value : null)),
  });
  const budgets = bars.filter((b) => b.budget !== undefined);
  return render(
    { ...chart, height },
    {
      ...frame(chart),
      // The labels' room: their widths are estimated (see the legend), so a margin to spare.
      grid: {
        top: 110,
        bottom: 90,
        left: 60,
        right: 50,
        outerBounds: { left: 40, right: 0, top: 0, bottom: 0 },
      },
      xAxis: axis(chart.value, 'x'),
      yAxis: {
        type: 'category',
        data: bars.map((b) => b.label),
        name: chart.category.title,
        nameLocation: 'end',
        nameGap: 12,
        // Starts at the axis and runs over the plot: labels of any width never clip it.
        nameTextStyle: { color: TEXT, fontSize: 13, fontFamily: FONT, align: 'left' },
        axisLabel: { color: TEXT, fontFamily: FONT, fontSize: 11, interval: 0 },
        axisLine: { show: true, lineStyle: { color: MUTED } },
        axisTick: { show: false },
      },
      series: [
        bar(names.within, WITHIN, (b) => !isOver(b)),
        bar(names.over, OVER, isOver),
        ...(budgets.length
          ? [
              {
                name: names.budget,
                type: 'scatter',
                silent: true,
                symbol: 'rect',
                symbolSize: [3, rowHeight * 0.9],
                itemStyle: { color: BUDGET, opacity: 1 },
                data: budgets.map((b) => [b.budget, b.label]),
                z: 3,
              },
            ]
          : []),
      ],
    },
  );
}

/** Writes `svg` as bench/charts/<name>.svg; returns that path, relative to the repository. */
export function writeChartSvg(name: string, svg: string): string {
  mkdirSync(chartsDir, { recursive: true });
  const file = join(chartsDir, `${name}.svg`);
  writeFileSync(file, svg);
  return relative(projectRoot, file);
}
