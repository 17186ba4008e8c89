/**
 * Whether a declared index serves a query by the equality-sort-range rule: the index's keys start
 * with every field the query matches exactly (any order), then the sort's fields in its order (all
 * in the index's direction or all reversed), then the fields the query matches by range. Such an
 * index finds the first document without a scan and returns the rest in order, without a sort in
 * memory. A field matched exactly may be skipped in the sort (it is constant there).
 */

export type Direction = 1 | -1;
export type IndexKeys = Record<string, Direction>;

/** A query as the storage code writes it: the filter (values or operator objects) and the sort. */
export interface QueryShape {
  filter: Record<string, unknown>;
  sort?: Record<string, Direction>;
  /**
   * Filter fields checked on the documents the index finds rather than by the index ($ne, a
   * pattern, a status nearly every row has): the index bounds the scan, these discard a few.
   */
  residual?: string[];
}

const RANGE_OPERATORS = new Set(['$lt', '$lte', '$gt', '$gte']);

/** Splits a filter's fields into matched exactly and matched by range. */
export function classify(shape: QueryShape): { equality: Set<string>; range: Set<string> } {
  const equality = new Set<string>();
  const range = new Set<string>();
  for (const [field, value] of Object.entries(shape.filter)) {
    if (shape.residual?.includes(field)) continue;
    if (field.startsWith('$')) throw new Error(`classify: declare ${field}'s fields as residual`);
    const operators =
      value !== null && typeof value === 'object' && !(value instanceof Date)
        ? Object.keys(value).filter((key) => key.startsWith('$'))
        : [];
    if (operators.length === 0 || operators.every((op) => op === '$eq')) equality.add(field);
    // $in is several exact matches: MongoDB reads one index range per value and merges them in
    // the sort's order (up to 200 values), so it is served like equality.
    else if (operators.every((op) => op === '$in')) equality.add(field);
    else if (operators.every((op) => RANGE_OPERATORS.has(op))) range.add(field);
    else throw new Error(`classify: ${operators.join(', ')} on ${field}: declare it residual`);
  }
  return { equality, range };
}

/**
 * True when `index` serves `shape` by the equality-sort-range rule. A unique index whose every key
 * the query matches exactly serves it whatever else it asks: there is one document at most.
 */
export function covers(index: IndexKeys, shape: QueryShape, unique = false): boolean {
  const keys = Object.entries(index);
  const { equality, range } = classify(shape);
  if (unique && keys.every(([field]) => equality.has(field))) return true;
  let at = 0;
  const remaining = new Set(equality);
  while (at < keys.length && remaining.delete((keys[at] as [string, Direction])[0])) at += 1;
  if (remaining.size > 0) return false;
  const afterEquality = new Set(keys.slice(at).map(([field]) => field));
  let orientation: Direction | undefined;
  for (const [field, direction] of Object.entries(shape.sort ?? {})) {
    if (equality.has(field)) continue;
    const key = keys[at];
    if (!key || key[0] !== field) return false;
    const relative: Direction = key[1] === direction ? 1 : -1;
    if (orientation !== undefined && relative !== orientation) return false;
    orientation = relative;
    at += 1;
  }
  // A range on a sort key is read from the sorted run itself; any other range comes after it.
  const sortKeys = new Set(Object.keys(shape.sort ?? {}));
  const rest = new Set(keys.slice(at).map(([field]) => field));
  return [...range].every((field) => (sortKeys.has(field) ? afterEquality : rest).has(field));
}
