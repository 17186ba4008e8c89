/**
 * The routes under load, each as an HTTP request and as the storage work its handler does (the
 * session look-up, the access checks' reads and the operation), made in-process for comparison.
 */
import type { AutocannonRequest } from 'autocannon';
import { channelAccess } from '../../lib/authz/channels';
import { questionsFor, readableTest } from '../../lib/authz/tests';
import type { Caller } from '../../lib/http/types';
import { findSession } from '../../lib/sessions/session-store';
import { storage } from '../../lib/storage';
import { messageStore } from '../../lib/storage/messages';
import type { Fixture } from './fixture';

export interface Route {
  name: string;
  request: AutocannonRequest;
  /** The handler's database work for the session `token`, made in this process. */
  inProcess(token: string): Promise<unknown>;
}

async function callerOf(token: string): Promise<Caller> {
  const session = await findSession(token);
  if (!session) throw new Error('the fixture session was not found');
  return { userId: session.userId, role: session.role, sessionId: session.id };
}

export function routes(fixture: Fixture): Route[] {
  const { channelId, testId } = fixture;
  return [
    {
      name: 'GET /api/channels/:id/messages',
      request: { method: 'GET', path: `/api/channels/${channelId}/messages` },
      inProcess: async (token) => {
        const caller = await callerOf(token);
        await channelAccess(caller, channelId);
        return (await messageStore()).history(channelId, { limit: 50 });
      },
    },
    {
      name: 'POST /api/messages',
      request: {
        method: 'POST',
        path: '/api/messages',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ channelId, content: 'a message sent under load' }),
      },
      inProcess: async (token) => {
        const caller = await callerOf(token);
        await channelAccess(caller, channelId);
        return (await messageStore()).create({
          channelId,
          authorId: caller.userId,
          content: 'a message sent under load',
          type: 'text',
          fileUrl: null,
          isHomework: false,
        });
      },
    },
    {
      name: 'GET /api/tests/:id/questions',
      request: { method: 'GET', path: `/api/tests/${testId}/questions` },
      inProcess: async (token) => {
        const caller = await callerOf(token);
        const test = await readableTest(caller, testId);
        return questionsFor(caller, test, await storage.getQuestionsByTest(test.id));
      },
    },
    {
      name: 'GET /api/users/me',
      request: { method: 'GET', path: '/api/users/me' },
      inProcess: async (token) => {
        const caller = await callerOf(token);
        const user = await storage.getUser(caller.userId);
        if (!user) throw new Error('the fixture user was not found');
        return user;
      },
    },
  ];
}
