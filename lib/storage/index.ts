/** The domain storage of this deployment (MongoDB). Handlers import this, never a driver. */
import { mongoStorage } from './mongo';
import type { IStorage } from './storage';

export type { IStorage } from './storage';
export const storage: IStorage = mongoStorage;
