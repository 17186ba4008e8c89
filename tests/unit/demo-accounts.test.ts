/** How `npm run seed` prints its demo accounts: each with its role and the password. */
import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, demoAccountLines } from '../../scripts/demo-accounts';

describe('demoAccountLines', () => {
  it('shows every account on its own line with its role and the password, aligned', () => {
    const lines = demoAccountLines([
      { username: 'ms.rivera', role: 'teacher' },
      { username: 'amir', role: 'student' },
    ]);
    expect(DEMO_PASSWORD).toBe('demo-password');
    expect(lines).toEqual([
      '  username   role     password',
      '  ms.rivera  teacher  demo-password',
      '  amir       student  demo-password',
    ]);
  });
});
