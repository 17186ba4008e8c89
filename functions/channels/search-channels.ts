/**
 * GET /api/channels/query/:q: channels of the caller's workspaces whose class equals q or whose
 * name or subject contains it (case-insensitive; q is matched literally).
 */
import { httpHandler } from '../../lib/http/stack';
import { storage } from '../../lib/storage';
import { channelQueryPathSchema } from '../../shared/schema';

export const handler = httpHandler(
  { auth: 'session', path: channelQueryPathSchema },
  async ({ caller, path }) => ({
    status: 200,
    body: await storage.searchChannels(caller.userId, path.q),
  }),
);
