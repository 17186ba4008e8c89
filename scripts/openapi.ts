/** npm run openapi: regenerates openapi.json from serverless.yml and the handlers' zod schemas. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderOpenApiDocument } from './openapi-document';
import { projectRoot } from './stack/paths';

// Handlers read their configuration when loaded; any well-formed values do for documenting them.
const PLACEHOLDERS = {
  MONGODB_URL: 'mongodb://127.0.0.1:1/openapi',
  SESSIONS_TABLE: 'openapi-sessions',
  WORKER_LEASES_TABLE: 'openapi-leases',
  IDEMPOTENCY_TABLE: 'openapi-idempotency',
  CONNECTIONS_TABLE: 'plp-connections',
  CHANNEL_SUBSCRIPTIONS_TABLE: 'plp-channel-subscriptions',
  REALTIME_TICKETS_TABLE: 'plp-realtime-tickets',
};

async function main(): Promise<void> {
  Object.assign(process.env, PLACEHOLDERS, {
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  const text = await renderOpenApiDocument();
  writeFileSync(join(projectRoot, 'openapi.json'), text);
  const document = JSON.parse(text) as { paths: Record<string, object> };
  const operations = Object.values(document.paths).reduce(
    (n, ops) => n + Object.keys(ops).length,
    0,
  );
  console.log(
    `openapi.json: ${operations} operations on ${Object.keys(document.paths).length} paths`,
  );
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error('openapi failed:', error instanceof Error ? error.message : error);
  process.exit(1);
});
