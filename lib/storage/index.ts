/** The domain storage of this deployment (MongoDB). Handlers import this, never a driver. */
import type { AnalyticsJobStore } from './analytics-job-store';
import { mongoStorage } from './mongo';
import { analyticsJobStore as mongoAnalyticsJobStore } from './mongo/analytics';
import type { IStorage } from './storage';

export type { IStorage } from './storage';
export const storage: IStorage = mongoStorage;
/** Where the compute-analytics job reads and writes (MongoDB). */
export const analyticsJobStore: AnalyticsJobStore = mongoAnalyticsJobStore;
