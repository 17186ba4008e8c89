/** The accounts of `npm run seed`'s demo school, and how the seed prints them. */
import type { UserRole } from '../shared/schema';

/** Every demo account's password. */
export const DEMO_PASSWORD = 'demo-password';

export interface DemoAccount {
  username: string;
  role: UserRole;
}

/** Lines that show each account with its role and password, one account a line, aligned. */
export function demoAccountLines(accounts: DemoAccount[], password = DEMO_PASSWORD): string[] {
  const rows = [
    ['username', 'role', 'password'],
    ...accounts.map(({ username, role }) => [username, role, password]),
  ];
  const widths = [0, 1].map((column) => Math.max(...rows.map((row) => row[column]?.length ?? 0)));
  return rows.map(([username, role, secret]) =>
    `  ${username?.padEnd(widths[0] ?? 0)}  ${role?.padEnd(widths[1] ?? 0)}  ${secret}`.trimEnd(),
  );
}
