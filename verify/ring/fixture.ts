/** The people and channels verify:ring's load acts in: one workspace, a teacher, some students. */
import { type ClassFixture, setUpClass } from '../class-fixture';
import { call } from './http';

export type { Member } from '../class-fixture';
export type Fixture = ClassFixture;

export const TEACHER_CODE = 'ring-teacher-code';
const PASSWORD = 'correct horse battery';
const CHANNELS = 4;

export const login = (base: string, username: string) =>
  call(base, 'POST', '/api/auth/login', { username, password: PASSWORD });

/** A teacher, `students` students, one workspace with all of them and a few text channels. */
export const setUp = (base: string, students: number): Promise<Fixture> =>
  setUpClass({
    call,
    base,
    tag: `r${Date.now().toString(36)}`,
    password: PASSWORD,
    teacherCode: TEACHER_CODE,
    students,
    channels: CHANNELS,
    // The ring's nodes may still be warming up their JVMs: retry a cold function's timeout.
    attempts: 4,
  });
