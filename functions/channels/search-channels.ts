/**
 * GET /api/channels/query/:q: channels of the caller's workspaces whose class equals q or whose
 * name or subject contains it (case-insensitive; q is matched literally).
 */
import * as z from 'zod/mini';
import { httpHandler } from '../../lib/http/stack';
import { storage } from '../../lib/storage';

const path = z.strictObject({ q: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)) });

export const handler = httpHandler({ auth: 'session', path }, async ({ caller, path }) => ({
  status: 200,
  body: await storage.searchChannels(caller.userId, path.q),
}));
