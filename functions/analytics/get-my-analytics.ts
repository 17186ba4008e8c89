/**
 * GET /api/analytics/me: the calling student's analytics, one row per test they finished, newest
 * first, leaving out tests at which they may still make an attempt (grades withheld, see
 * lib/authz/tests.ts). Teachers have none of their own (403); their view is GET
 * /tests/:id/analytics.
 */
import { analyticsFor, requireRole } from '../../lib/authz/tests';
import { httpHandler } from '../../lib/http/stack';
import { storage } from '../../lib/storage';

export const handler = httpHandler({ auth: 'session' }, async ({ caller }) => {
  requireRole(caller, 'student');
  return {
    status: 200,
    body: await analyticsFor(caller, await storage.getAnalyticsByUser(caller.userId)),
  };
});
