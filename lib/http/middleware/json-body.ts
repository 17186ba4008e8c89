/**
 * JSON request bodies: 413 over the size limit, 415 when not application/json, 400 when malformed.
 *
 * The size check comes first so an oversized body is never decoded or parsed. Parsing is
 * @middy/http-json-body-parser's; it reports malformed JSON as 415, which our contract calls bad
 * input (400), so its errors are re-labelled here (its content-type check is off, see below).
 */
import type { MiddlewareObj } from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../errors';
import type { LambdaHttpEvent, LambdaHttpResult } from '../types';

const JSON_MEDIA_TYPE = /^application\/(.+\+)?json\s*($|;)/i;

/** No body: API Gateway leaves `body` out, serverless-offline sends `null`. */
const hasNoBody = (event: LambdaHttpEvent) => event.body === undefined || event.body === null;

function bodyBytes(event: LambdaHttpEvent): number {
  if (event.body === undefined || event.body === null) return 0;
  return Buffer.byteLength(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}

export function jsonBody({
  maxBytes,
}: {
  maxBytes: number;
}): MiddlewareObj<LambdaHttpEvent, LambdaHttpResult> {
  // The media type is checked here (case-insensitively, as RFC 9110 says), so the parser's own,
  // stricter check is off: it would turn `Application/JSON` into a 415.
  // (The option exists in its code but not in its type declarations.)
  const parser = httpJsonBodyParser({ disableContentTypeCheck: true } as Parameters<
    typeof httpJsonBodyParser
  >[0]);
  return {
    before: async (request) => {
      const { event } = request;
      // serverless-offline hands over a body that hapi already parsed to a JSON scalar (`false`,
      // `0`) as that value, not its text; API Gateway always sends text. Back to text, so both
      // take the same path below (a 400 from the route's schema, not a TypeError and a 500).
      const raw: unknown = event.body;
      if (raw !== undefined && raw !== null && typeof raw !== 'string') {
        event.body = JSON.stringify(raw);
      }
      if (bodyBytes(event) > maxBytes) throw new PayloadTooLargeError(maxBytes);
      const contentType = event.headers?.['content-type'] ?? '';
      if (!JSON_MEDIA_TYPE.test(contentType)) throw new UnsupportedMediaTypeError();
      if (hasNoBody(event) || event.body?.trim() === '') {
        throw new BadRequestError('Request body is required');
      }
      try {
        await parser.before?.(request as never);
      } catch (error) {
        throw new BadRequestError('Request body is not valid JSON', [
          { path: 'body', message: (error as Error).message },
        ]);
      }
    },
  };
}
