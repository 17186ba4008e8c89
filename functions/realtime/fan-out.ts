/**
 * The fan-out function: invoked asynchronously (lib/realtime/publish.ts) with one channel event,
 * it delivers the event to the channel's subscribers. It never throws: Lambda would retry the whole
 * event, sending it again to everyone it already reached; a failed send is logged instead.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger } from '../../lib/logger';
import { type FanOutReport, fanOut } from '../../lib/realtime/fan-out';
import type { FanOutJob } from '../../lib/realtime/publish';

export const handler = middy(
  async (job: FanOutJob, context: Context): Promise<FanOutReport | undefined> => {
    const log = logger.child({ requestId: context.awsRequestId, function: context.functionName });
    const started = performance.now();
    try {
      const report = await fanOut(job, log);
      const durationMs = Math.round(performance.now() - started);
      log.info('fan-out', {
        event: job.event.type,
        channelId: job.channelId,
        ...report,
        durationMs,
      });
      return report;
    } catch (error) {
      log.error('fan-out failed', { event: job.event.type, channelId: job.channelId, error });
      return undefined;
    }
  },
);
