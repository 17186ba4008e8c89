/** Registered users for e2e tests: a logged-in client and the user's id. */
import { expect } from 'vitest';
import { E2E_TEACHER_CODE } from '../setup/offline';
import { Client, newUser } from './http-client';

export interface Actor {
  client: Client;
  id: number;
}
export type Row = Record<string, unknown>;

/** Registers (and so logs in) a new user; `extra` overrides the generated fields. */
export async function actor(extra: Row = {}): Promise<Actor> {
  const client = new Client();
  const reply = await client.post('/api/auth/register', newUser(extra));
  expect(reply.status).toBe(201);
  return { client, id: (reply.body as { id: number }).id };
}

export const teacherAccount = () => actor({ role: 'teacher', teacherCode: E2E_TEACHER_CODE });
