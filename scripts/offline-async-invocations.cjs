// Preloaded into serverless-offline's process (scripts/offline-server.ts, offlineNodeOptions).
//
// serverless-offline runs a function invoked with InvocationType 'Event' (the real-time fan-out)
// without awaiting it, so when that invocation times out or throws, its promise rejects with no
// handler, and Node ends the whole emulator: every route goes dark until it is restarted. AWS
// instead retries a failed asynchronous invocation and then drops it, and the caller never
// notices. Here the failure is logged and the emulator carries on. Only the main thread: a
// function's own unhandled rejection, in its worker, behaves as it does on Lambda.
const { isMainThread } = require('node:worker_threads');

if (isMainThread) {
  process.on('unhandledRejection', (reason) => {
    const text = reason instanceof Error ? (reason.stack ?? reason.message) : String(reason);
    console.error(`× asynchronous invocation failed (the emulator carries on): ${text}`);
  });
}
