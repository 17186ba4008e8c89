/** GET /api/health: 200 when every store answers, else 503 naming what is down. No config leaks. */
import { httpHandler } from '../../lib/http/stack';
import { checkHealth } from '../../lib/storage/health';

export const handler = httpHandler({ auth: 'none' }, async ({ log }) => {
  const report = await checkHealth(log);
  const down = Object.entries(report)
    .filter(([, status]) => status !== 'ok')
    .map(([component]) => component);
  if (down.length === 0) return { status: 200, body: report };
  return {
    status: 503,
    headers: { 'Retry-After': '1' },
    body: { message: `Unavailable: ${down.join(', ')}`, code: 'SERVICE_UNAVAILABLE', ...report },
  };
});
