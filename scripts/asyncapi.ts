/** npm run asyncapi: regenerates asyncapi.json from the WebSocket API's zod schemas. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderAsyncApiDocument } from './asyncapi-document';
import { projectRoot } from './stack/paths';

const text = renderAsyncApiDocument();
writeFileSync(join(projectRoot, 'asyncapi.json'), text);
const document = JSON.parse(text) as {
  operations: Record<string, object>;
  components: { messages: Record<string, object> };
};
console.log(
  `asyncapi.json: ${Object.keys(document.operations).length} operations, ` +
    `${Object.keys(document.components.messages).length} messages`,
);
