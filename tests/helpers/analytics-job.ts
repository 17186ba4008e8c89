/** Runs compute-analytics in the e2e backend, as its schedule would (an invocation, no route). */
import { expect, inject } from 'vitest';
import type { Row } from './actors';

export async function runComputeAnalytics(): Promise<Row> {
  const response = await fetch(
    `${inject('offlineLambdaUrl')}/2015-03-31/functions/plp-backend-dev-compute-analytics/invocations`,
    { method: 'POST', body: JSON.stringify({ source: 'aws.events' }) },
  );
  expect(response.status).toBe(200);
  return (await response.json()) as Row;
}
