/**
 * POST /api/channels/dm: the one DM between the caller and another existing user, created on first
 * use (exactly one per pair, even under concurrent calls). 200.
 */

import { BadRequestError, NotFoundError } from '../../lib/http/errors';
import { httpHandler } from '../../lib/http/stack';
import { storage } from '../../lib/storage';
import { dmRequestSchema } from '../../shared/schema';

export const handler = httpHandler(
  { auth: 'session', body: dmRequestSchema },
  async ({ caller, body }) => {
    let other: number;
    if ('userId' in body) {
      other = body.userId;
    } else {
      const [a, b] = body.userIds;
      if (a !== caller.userId && b !== caller.userId) {
        throw new BadRequestError('You must be one of the two users', [
          { path: 'body.userIds', message: 'must include you' },
        ]);
      }
      other = a === caller.userId ? b : a;
    }
    if (!(await storage.getUser(other))) throw new NotFoundError('User not found');
    return { status: 200, body: await storage.getOrCreateDMChannel(caller.userId, other) };
  },
);
