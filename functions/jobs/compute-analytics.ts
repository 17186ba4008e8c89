/**
 * Scheduled (EventBridge rate): per-student analytics and per-test statistics from the attempts
 * finished or graded since the last run (lib/analytics/compute-job). Stops with RESERVE_MS of its
 * time left and the next run resumes from the persisted watermark. Logs one summary line.
 */
import type { Context, ScheduledEvent } from 'aws-lambda';
import { computeAnalytics } from '../../lib/analytics/compute-job';
import { config } from '../../lib/config';
import { closeMongoAfterLocalInvoke } from '../../lib/db/mongo';
import { logger } from '../../lib/logger';
import { analyticsJobStore } from '../../lib/storage';

/**
 * Longer than one page or one group of tests takes (well under a second each on MongoDB), so the
 * run ends before Lambda kills it.
 */
const RESERVE_MS = 8_000;

export async function handler(_event: ScheduledEvent | Record<string, unknown>, context?: Context) {
  const remaining = context?.getRemainingTimeInMillis?.bind(context);
  const summary = await computeAnalytics({
    store: analyticsJobStore,
    settleMs: config().analytics.settleMs,
    shouldStop: () => (remaining ? remaining() < RESERVE_MS : false),
  });
  logger.info('compute-analytics', { requestId: context?.awsRequestId, ...summary });
  await closeMongoAfterLocalInvoke();
  return summary;
}
