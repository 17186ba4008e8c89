/**
 * Scheduled (EventBridge rate): pending or started assignments whose due date has passed become
 * overdue, in one bulk update. Idempotent: a second run, or two at once, change nothing more.
 */
import type { Context, ScheduledEvent } from 'aws-lambda';
import { closeMongoAfterLocalInvoke } from '../../lib/db/mongo';
import { logger } from '../../lib/logger';
import { storage } from '../../lib/storage';

export async function handler(_event: ScheduledEvent | Record<string, unknown>, context?: Context) {
  const started = performance.now();
  const updated = await storage.markOverdueAssignments(new Date());
  const durationMs = Math.round(performance.now() - started);
  logger.info('mark-overdue-assignments', {
    requestId: context?.awsRequestId,
    updated,
    durationMs,
  });
  await closeMongoAfterLocalInvoke();
  return { updated, durationMs };
}
