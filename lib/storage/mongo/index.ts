/** The MongoDB implementation of IStorage, assembled from one module per area. */
import type { IStorage } from '../storage';
import { analyticsStore } from './analytics';
import { assignmentStore } from './assignments';
import { attemptStore } from './attempts';
import { channelStore } from './channels';
import { testStore } from './tests';
import { userStore } from './users';

export const mongoStorage: IStorage = {
  ...userStore,
  ...testStore,
  ...attemptStore,
  ...assignmentStore,
  ...analyticsStore,
  ...channelStore,
};
