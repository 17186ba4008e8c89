/** What every local engine offers the stack command. */
import type { EngineName } from './settings';

export interface EngineStatus {
  /** started: by this call; running: by an earlier call; external: answering, not ours. */
  state: 'started' | 'running' | 'external' | 'stopped';
  where: string;
  pid?: number;
}

export interface LocalEngine {
  name: EngineName;
  label: string;
  /** Downloads/builds the engine if it is not there yet. Idempotent. */
  install(): Promise<void>;
  /** Starts the engine unless it already answers; resolves once it serves requests. */
  start(): Promise<EngineStatus>;
  /** Stops the engine if this stack started it; false when it was not running. */
  stop(): Promise<boolean>;
  status(): Promise<EngineStatus>;
}
