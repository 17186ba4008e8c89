// Preloaded into serverless-offline's process (scripts/offline-server.ts, offlineNodeOptions).
//
// serverless-offline runs a function invoked with InvocationType 'Event' (the real-time fan-out)
// without awaiting it, so when that invocation times out or throws, its promise rejects with no
// handler, and Node ends the whole emulator: every route goes dark until it is restarted. AWS
// instead retries a failed asynchronous invocation and then drops it, and the caller never
// notices. Here any rejection the emulator's main thread leaves unhandled is logged and the
// emulator carries on. (Node 20 runs no --require preload in worker threads, where the functions
// run; the guard says so.)
const { isMainThread } = require('node:worker_threads');

if (isMainThread) {
  process.on('unhandledRejection', (reason) => {
    const text = reason instanceof Error ? (reason.stack ?? reason.message) : String(reason);
    console.error(
      `× unhandled rejection in serverless-offline, such as a failed asynchronous invocation (logged; the emulator carries on): ${text}`,
    );
  });
}
