/** The load item's data: a teacher, students, a channel with history, a test with questions. */
import { createSession } from '../../lib/sessions/session-store';
import { storage } from '../../lib/storage';
import { messageStore } from '../../lib/storage/messages';
import { insertQuestionSchema, insertTestSchema } from '../../shared/schema';
import { HISTORY_MESSAGES, QUESTIONS, STUDENTS } from './settings';

export interface Fixture {
  teacherToken: string;
  studentTokens: string[];
  channelId: number;
  testId: number;
}

type User = Awaited<ReturnType<typeof storage.createUser>>;

/** HISTORY_MESSAGES messages in the channel, by the authors in turn, ten at a time. */
async function writeHistory(channelId: number, authors: User[]): Promise<void> {
  const store = await messageStore();
  for (let i = 0; i < HISTORY_MESSAGES; i += 10) {
    await Promise.all(
      Array.from({ length: 10 }, (_, j) =>
        store.create({
          channelId,
          authorId: (authors[(i + j) % authors.length] as { id: number }).id,
          content: `history message ${i + j}: ${'lorem ipsum '.repeat(8)}`,
          type: 'text',
          fileUrl: null,
          isHomework: false,
        }),
      ),
    );
  }
}

/** A published test of the teacher's with QUESTIONS multiple-choice questions; its id. */
async function writeTest(teacherId: number): Promise<number> {
  const test = await storage.createTest({
    ...insertTestSchema.parse({
      title: 'Load test',
      subject: 'Physics',
      class: 'LOAD-10A',
      testDate: new Date().toISOString(),
      status: 'published',
    }),
    teacherId,
  });
  for (let order = 1; order <= QUESTIONS; order += 1) {
    await storage.createQuestion(
      insertQuestionSchema.parse({
        testId: test.id,
        type: 'mcq',
        text: `Question ${order}: which of these is a vector quantity?`,
        options: ['speed', 'mass', 'velocity', 'energy'],
        correctAnswer: '2',
        marks: 2,
        order,
      }),
    );
  }
  return test.id;
}

export async function seed(): Promise<Fixture> {
  const stamp = Date.now().toString(36);
  const user = (name: string, role: 'teacher' | 'student') =>
    storage.createUser({
      username: `load${name}${stamp}`,
      password: 'load-test-password',
      name: `Load ${name}`,
      email: `load${name}${stamp}@example.test`,
      role,
      class: role === 'student' ? 'LOAD-10A' : null,
      subject: role === 'teacher' ? 'Physics' : null,
    });
  const teacher = await user('teacher', 'teacher');
  const students = await Promise.all(
    Array.from({ length: STUDENTS }, (_, i) => user(`student${i}`, 'student')),
  );
  const workspace = await storage.createWorkspace({
    name: 'Load workspace',
    ownerId: teacher.id,
    members: [teacher.id, ...students.map((s) => s.id)],
  });
  const channel = await storage.createChannel({
    workspaceId: workspace.id,
    name: 'general',
    type: 'text',
  });
  const authors = [teacher, ...students];
  await writeHistory(channel.id, authors);
  const testId = await writeTest(teacher.id);
  const sessions = await Promise.all(authors.map((a) => createSession(a)));
  const [teacherSession, ...studentSessions] = sessions.map((s) => s.token);
  return {
    teacherToken: teacherSession as string,
    studentTokens: studentSessions,
    channelId: channel.id,
    testId,
  };
}
