/** The part of autocannon 9's programmatic API that verify/load/ uses (it ships no types). */
declare module 'autocannon' {
  namespace autocannon {
    interface AutocannonRequest {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string;
    }

    interface AutocannonClient {
      /** Replaces the sequence of requests this connection loops over. */
      setRequests(requests: AutocannonRequest[]): void;
    }

    interface AutocannonOptions {
      url: string;
      connections?: number;
      /** Seconds. */
      duration?: number;
      /** Seconds to wait for a response before counting a timeout. */
      timeout?: number;
      /** Each connection stops after this many responses (the run ends when all have). */
      maxConnectionRequests?: number;
      requests?: AutocannonRequest[];
      setupClient?: (client: AutocannonClient) => void;
    }

    interface Histogram {
      average: number;
      p50: number;
      p99: number;
      max: number;
      total: number;
    }

    interface AutocannonResult {
      /** In milliseconds. */
      latency: Histogram;
      /** Requests per second, sampled every second (total: all requests sent). */
      requests: Histogram;
      /** Seconds. */
      duration: number;
      /** Connection errors, timeouts included. */
      errors: number;
      timeouts: number;
      non2xx: number;
      '2xx': number;
    }

    interface AutocannonInstance extends Promise<AutocannonResult> {
      stop(): void;
    }
  }

  function autocannon(options: autocannon.AutocannonOptions): autocannon.AutocannonInstance;
  export = autocannon;
}
