/**
 * The faults scenario: the routes under load and the engines each needs, the pace, how long an
 * engine stays down, and the shapes of what is recorded (samples, phases, recoveries).
 */
import { join } from 'node:path';
import type { EngineName } from '../../scripts/stack/settings';
import { verifyDir } from '../report';

/** Longer than the slowest acceptable answer, so a hang is measured as one rather than cut short. */
export const CLIENT_TIMEOUT_MS = 20_000;
export const HANG_MS = 5_000;
/** How long each engine stays down. */
export const DOWN_MS = Number(process.env.FAULTS_DOWN_MS ?? 12_000);
/** Load before the first outage and after each recovery, so every phase has a steady reference. */
export const STEADY_MS = Number(process.env.FAULTS_STEADY_MS ?? 8_000);
/** A route that has not answered 2xx within this after its engine's restart has not recovered. */
export const RECOVERY_LIMIT_MS = 60_000;
/** Each loop starts its next request this long after the previous one started (or at once if late). */
export const PACE_MS = 200;
export const CHANNELS = 4;
export const TEACHER_CODE = 'faults-teacher-code';
export const PASSWORD = 'correct horse battery';

export type RouteName = 'send' | 'history' | 'login' | 'control';
export const ROUTE_LABEL: Record<RouteName, string> = {
  send: 'POST /api/messages',
  history: 'GET /api/channels/:id/messages',
  login: 'POST /api/auth/login',
  control: 'GET /api/<unknown> (404)',
};
/** The engines each route needs (see verify/faults.ts's header comment for where that comes from). */
export const NEEDS: Record<RouteName, EngineName[]> = {
  send: ['dynamodb', 'mongo', 'cassandra'],
  history: ['dynamodb', 'mongo', 'cassandra'],
  login: ['dynamodb', 'mongo'],
  control: [],
};
/** The answer a route gives when everything works. */
export const OK_STATUS: Record<RouteName, number> = {
  send: 201,
  history: 200,
  login: 200,
  control: 404,
};
/** Loops per route: sends and history reads dominate, as in the real app. */
export const LOOPS: Record<RouteName, number> = { send: 3, history: 2, login: 1, control: 1 };
export const OUTAGE_ORDER: EngineName[] = ['mongo', 'cassandra', 'dynamodb'];
/** FAULTS_ENGINES=cassandra (comma-separated) stops only those, e.g. to look into one outage. */
export const ONLY_ENGINES = process.env.FAULTS_ENGINES?.split(',').map((e) => e.trim());
/** serverless-offline's output (its error logs say why a request failed), for reading afterwards. */
export const OFFLINE_LOG = join(verifyDir, 'faults-offline.log');
/** Failures (relapses, unexplained 5xx) named one by one in a check's detail; the rest are counted. */
export const FAILURES_SHOWN = 5;

export interface Sample {
  route: RouteName;
  startedAt: number;
  ms: number;
  /** HTTP status, or 0 for a transport error or client timeout. */
  status: number;
  error?: string;
  /** The invocation id an error body names: its line in the server log says why it failed. */
  requestId?: string;
}

export interface Phase {
  name: string;
  engine?: EngineName;
  kind: 'baseline' | 'stopping' | 'down' | 'starting' | 'after';
  from: number;
  to: number;
}

/** How each route that needs `engine` came back after its restart (times in ms). */
export interface Recovery {
  engine: EngineName;
  startMs: number;
  fromStartBegun: Map<RouteName, number | undefined>;
  fromStartDone: Map<RouteName, number | undefined>;
  recoveredAt?: number;
}

export interface Acknowledged {
  id: string;
  channelId: number;
  content: string;
}

/** Times the load generator was frozen (see watchStalls). */
export interface Stall {
  at: number;
  ms: number;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const seconds = (ms: number) => (ms / 1000).toFixed(1);
