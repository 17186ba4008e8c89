/** The people and channels the faults load acts on, set up over HTTP before any outage. */
import { classCalls, type Member, setUpClass } from '../class-fixture';
import { call } from './client';
import { CHANNELS, LOOPS, PASSWORD, TEACHER_CODE } from './scenario';

export type { Member } from '../class-fixture';

export interface Fixture {
  /** One member per send or history loop, so a loop that signs in again affects no other. */
  members: Member[];
  channelIds: number[];
  /** A user the login loop signs in as. */
  loginUsername: string;
}

/** A teacher, some students, one workspace with all of them and a few text channels. */
export async function setUp(base: string): Promise<Fixture> {
  const spec = {
    call,
    base,
    tag: `f${Date.now().toString(36)}`,
    password: PASSWORD,
    teacherCode: TEACHER_CODE,
    students: LOOPS.send + LOOPS.history - 1,
    channels: CHANNELS,
  };
  const { teacher, students, channelIds } = await setUpClass(spec);
  const loginUser = await classCalls(spec).register(`${spec.tag}l`);
  return { members: [teacher, ...students], channelIds, loginUsername: loginUser.username };
}
