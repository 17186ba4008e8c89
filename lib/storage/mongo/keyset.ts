/**
 * Reading a large result in pages without a server-side cursor: each page is a fresh query for
 * the rows after the last one of the previous page, in (first, second) key order, served by an
 * index on those two keys. Nothing is held on the server between pages, so a slow consumer, a
 * frozen Lambda or another connection of the pool cannot lose the position (FerretDB 1.x ties a
 * cursor to the connection that opened it), and the position is exactly what a job persists to
 * resume.
 */
import type { Model, QueryFilter } from 'mongoose';
import { trusted } from 'mongoose';
import { withMongo } from '../../db/mongo';

export type KeysetPosition = readonly [unknown, unknown];

export async function* keysetPages<Doc, Row extends Record<string, unknown>>(options: {
  model: Model<Doc>;
  filter: QueryFilter<Doc>;
  keys: readonly [string, string];
  projection: Record<string, 0 | 1>;
  pageSize: number;
  /** Start after this position (exclusive); from the beginning when absent. */
  after?: KeysetPosition | undefined;
}): AsyncGenerator<Row[]> {
  const { model, filter, keys, projection, pageSize } = options;
  const [first, second] = keys;
  let after = options.after;
  for (;;) {
    const position = after
      ? {
          $or: [
            { [first]: trusted({ $gt: after[0] }) },
            { [first]: after[0], [second]: trusted({ $gt: after[1] }) },
          ],
        }
      : {};
    const page = await withMongo(() =>
      model
        .find({ $and: [filter, position] } as QueryFilter<Doc>, projection)
        .sort({ [first]: 1, [second]: 1 })
        .limit(pageSize)
        .lean<Row[]>(),
    );
    if (page.length === 0) return;
    yield page;
    if (page.length < pageSize) return;
    const last = page.at(-1) as Row;
    after = [last[first], last[second]];
  }
}
