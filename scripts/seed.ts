/**
 * npm run seed: a small demo school on the local stack (or whatever is configured), so a newcomer can
 * click around: a teacher, four students of class 7B, a published test with questions, a workspace
 * with two channels, a DM, and a few hundred messages. Prints the logins. Safe to run again: it
 * skips what exists (accounts are looked up by username).
 */
import { resetConfig } from '../lib/config';
import { closeCassandra } from '../lib/db/cassandra';
import { closeDynamo } from '../lib/db/dynamo';
import { closeMongo } from '../lib/db/mongo';
import { storage } from '../lib/storage';
import { messageStore } from '../lib/storage/messages';
import type { NewUser } from '../lib/storage/storage';
import type { PublicUser } from '../shared/schema';
import { DEMO_PASSWORD, demoAccountLines } from './demo-accounts';
import { startStack } from './stack';

const MESSAGES = 300;

async function account(user: Omit<NewUser, 'password'>): Promise<PublicUser> {
  return (
    (await storage.getUserByUsername(user.username)) ??
    storage.createUser({ ...user, password: DEMO_PASSWORD })
  );
}

async function main(): Promise<void> {
  const env = await startStack({ print: (line) => console.log(line) });
  Object.assign(process.env, env);
  resetConfig();

  const teacher = await account({
    username: 'ms.rivera',
    name: 'Ms Rivera',
    email: 'rivera@demo.school',
    role: 'teacher',
    subject: 'Science',
  });
  const students = await Promise.all(
    ['amir', 'bea', 'chen', 'dara'].map((name) =>
      account({
        username: name,
        name: name[0]?.toUpperCase() + name.slice(1),
        email: `${name}@demo.school`,
        role: 'student',
        class: '7B',
      }),
    ),
  );

  const existingWorkspace = (await storage.getWorkspaces(teacher.id)).find(
    (w) => w.name === 'Year 7 Science',
  );
  if (existingWorkspace) {
    console.log(
      `seed: the demo school is already there (workspace ${existingWorkspace.id}); nothing to do`,
    );
  } else {
    const test = await storage.createTest({
      title: 'Forces and motion',
      description: 'Chapter 3 check-in',
      subject: 'Science',
      class: '7B',
      teacherId: teacher.id,
      totalMarks: 10,
      duration: 30,
      testDate: new Date(Date.now() + 7 * 24 * 3_600_000),
      questionTypes: ['mcq', 'short'],
      status: 'published',
      maxAttempts: 2,
    });
    await storage.createQuestion({
      testId: test.id,
      type: 'mcq',
      text: 'Which force pulls objects towards the Earth?',
      options: ['Friction', 'Gravity', 'Magnetism'],
      correctAnswer: '1',
      marks: 4,
      order: 1,
      topic: 'gravity',
    });
    await storage.createQuestion({
      testId: test.id,
      type: 'short',
      text: 'Explain why a ball rolling on grass slows down.',
      marks: 6,
      order: 2,
      topic: 'friction',
      aiRubric: 'Mentions friction opposing motion.',
    });
    const workspace = await storage.createWorkspace({
      name: 'Year 7 Science',
      description: 'Class 7B',
      ownerId: teacher.id,
      members: students.map((s) => s.id),
    });
    const general = await storage.createChannel({
      workspaceId: workspace.id,
      name: 'general',
      type: 'text',
      class: '7B',
      subject: 'Science',
    });
    const news = await storage.createChannel({
      workspaceId: workspace.id,
      name: 'announcements',
      type: 'announcement',
      class: '7B',
    });
    const dm = await storage.getOrCreateDMChannel(teacher.id, students[0]?.id as number);

    const store = await messageStore();
    await store.create({
      channelId: news.id,
      authorId: teacher.id,
      content: 'Test on forces next week!',
      type: 'text',
      fileUrl: null,
      isHomework: false,
    });
    await store.create({
      channelId: dm.id,
      authorId: teacher.id,
      content: 'Great work today, Amir.',
      type: 'text',
      fileUrl: null,
      isHomework: false,
    });
    const people = [teacher, ...students];
    for (let i = 0; i < MESSAGES; i += 1) {
      const author = people[i % people.length] as PublicUser;
      await store.create({
        channelId: general.id,
        authorId: author.id,
        content:
          i % 50 === 7
            ? `Homework ${i}: my answers are attached`
            : `Message ${i + 1} from ${author.name}`,
        type: 'text',
        fileUrl: null,
        isHomework: i % 50 === 7,
      });
    }
    console.log(
      `seed: workspace ${workspace.id}, channels ${general.id} (general, ${MESSAGES} messages) and ${news.id}, DM ${dm.id}, test ${test.id}`,
    );
  }
  console.log('seed: the demo accounts (POST /api/auth/login with username and password):');
  for (const line of demoAccountLines([teacher, ...students])) console.log(line);
  await Promise.all([closeMongo(), closeCassandra()]);
  closeDynamo();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('seed failed:', error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
