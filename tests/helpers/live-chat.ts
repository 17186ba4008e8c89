/** Workspaces, channels and messages for the live-chat e2e tests, made through the HTTP API. */
import { expect } from 'vitest';
import { type Actor, actor, teacherAccount } from './actors';
import { Client, newUser } from './http-client';

export type Json = Record<string, unknown>;

export interface Classroom {
  /** A teacher: owns the workspace, so moderates its channels. */
  owner: Actor;
  /** Students, members of the workspace. */
  students: Actor[];
  workspaceId: number;
}

/** A teacher's new workspace with `studentCount` new student members. */
export async function classroom(studentCount: number): Promise<Classroom> {
  const [owner, ...students] = await Promise.all([
    teacherAccount(),
    ...Array.from({ length: studentCount }, () => actor()),
  ]);
  if (!owner) throw new Error('no owner');
  const workspace = await owner.client.post('/api/workspaces', { name: 'Live class' });
  expect(workspace.status).toBe(201);
  const workspaceId = (workspace.body as Json).id as number;
  for (const student of students) {
    const added = await owner.client.post(`/api/workspaces/${workspaceId}/members`, {
      userId: student.id,
    });
    expect(added.status).toBe(200);
  }
  return { owner, students, workspaceId };
}

/** A new text channel of the workspace, created by `creator` (its owner or a teacher member). */
export async function newChannel(
  creator: Actor,
  workspaceId: number,
  name = 'general',
): Promise<number> {
  const reply = await creator.client.post(`/api/workspaces/${workspaceId}/channels`, {
    name,
    type: 'text',
  });
  expect(reply.status).toBe(201);
  return (reply.body as Json).id as number;
}

/** Posts a message as `author` (201 expected); the HTTP answer's message JSON. */
export async function postMessage(
  author: Actor,
  channelId: number,
  content: string,
  extra: Json = {},
  headers: Record<string, string> = {},
): Promise<Json> {
  const reply = await author.client.post(
    '/api/messages',
    { channelId, content, ...extra },
    headers,
  );
  expect(reply.status).toBe(201);
  return reply.body as Json;
}

/** A student whose password the test knows, so it can open a second session. */
export async function studentWithPassword(): Promise<
  Actor & {
    credentials: { username: string; password: string };
    /** Logs in as this student with a new client (a second session), or with `client`. */
    login: (client?: Client) => Promise<Client>;
  }
> {
  const registration = newUser();
  const student = await actor(registration);
  const credentials = { username: registration.username, password: registration.password };
  const login = async (client = new Client()) => {
    const reply = await client.post('/api/auth/login', credentials);
    expect(reply.status).toBe(200);
    return client;
  };
  return { ...student, credentials, login };
}
