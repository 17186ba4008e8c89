/**
 * GET /api/tests/:id/analytics: for the teacher who owns the test, its class statistics (null
 * until compute-analytics has counted a result) and every student's analytics. Another teacher
 * gets 404 (the test does not exist for them), a student of its class 403.
 */
import { ownedTest } from '../../lib/authz/tests';
import { httpHandler } from '../../lib/http/stack';
import { storage } from '../../lib/storage';
import { idPathSchema, type TestAnalytics } from '../../shared/schema';

export const handler = httpHandler(
  { auth: 'session', path: idPathSchema },
  async ({ caller, path }) => {
    const test = await ownedTest(caller, path.id);
    const [statistics, students] = await Promise.all([
      storage.getTestStatistics(test.id),
      storage.getAnalyticsByTest(test.id),
    ]);
    const body: TestAnalytics = { statistics: statistics ?? null, students };
    return { status: 200, body };
  },
);
