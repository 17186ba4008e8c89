/** The MongoDB implementation of IStorage: one module per area of lib/storage/storage.ts. */
import type { IStorage } from '../storage';
import { analyticsStore } from './analytics';
import { assignmentStore } from './assignments';
import { attemptStore } from './attempts';
import { testStore } from './tests';
import { userStore } from './users';
import { workspaceStore } from './workspaces';

export const mongoStorage: IStorage = {
  ...userStore,
  ...testStore,
  ...attemptStore,
  ...assignmentStore,
  ...analyticsStore,
  ...workspaceStore,
};
