/**
 * What serverless-offline's functions logged during verify:ring: the Cassandra client's "node
 * down" / "node up" warnings (lib/db/cassandra.ts; every Lambda worker has its own client, so one
 * node change is logged once per warm worker), its "statement resent" warnings (the retry policy
 * of lib/db/cassandra-retries.ts), and the "request failed" errors behind 5xx answers.
 */

export interface NodeEvent {
  /** performance.now() when the line arrived. */
  at: number;
  /** A node going down or coming up, or a statement resent after a timeout (retry policy). */
  kind: 'down' | 'up' | 'resent';
  /** The node's address; for `resent`, what timed out. */
  node: string;
}

interface LoggedError {
  name?: string;
  message?: string;
  cause?: LoggedError;
}

export interface FailureLine {
  requestId?: string;
  status?: number;
  error?: LoggedError;
}

/** Collects the output as it arrives, each line stamped with its arrival time. */
export class OfflineLog {
  private readonly lines: { at: number; line: string }[] = [];
  private partial = '';

  add(chunk: Buffer | string, at = performance.now()): void {
    const text = this.partial + chunk.toString();
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.lines.push({ at, line });
  }

  private json(): { at: number; entry: Record<string, unknown> }[] {
    return this.lines.flatMap(({ at, line }) => {
      const start = line.indexOf('{"level"');
      if (start < 0) return [];
      try {
        return [{ at, entry: JSON.parse(line.slice(start)) as Record<string, unknown> }];
      } catch (error) {
        // A line cut by the emulator's own prefixing is not ours to judge; it is kept as text.
        if (error instanceof SyntaxError) return [];
        throw error;
      }
    });
  }

  nodeEvents(): NodeEvent[] {
    return this.json().flatMap(({ at, entry }): NodeEvent[] => {
      if (entry.message === 'cassandra node down')
        return [{ at, kind: 'down' as const, node: String(entry.node) }];
      if (entry.message === 'cassandra node up')
        return [{ at, kind: 'up' as const, node: String(entry.node) }];
      if (entry.message === 'cassandra statement resent')
        return [{ at, kind: 'resent' as const, node: String(entry.after) }];
      return [];
    });
  }

  failures(): FailureLine[] {
    return this.json()
      .filter(({ entry }) => entry.message === 'request failed')
      .map(({ entry }) => entry as FailureLine);
  }
}

/** Why a request failed, from its server log line: the error and its causes. */
export function failureCause(failures: readonly FailureLine[], requestId?: string): string {
  const entry = failures.find((f) => requestId !== undefined && f.requestId === requestId);
  if (!entry) return 'not in the server log';
  const chain: string[] = [];
  for (let error = entry.error; error; error = error.cause) {
    chain.push(`${error.name}: ${error.message}`);
  }
  return chain.join(' <- ');
}
