/**
 * JSON request bodies: 413 over the size limit, 415 when not application/json, 400 when malformed.
 *
 * The size check comes first so an oversized body is never decoded or parsed. Parsing is
 * @middy/http-json-body-parser's; it reports malformed JSON as 415, which our contract calls bad
 * input (400), so that one case is re-labelled here.
 */
import type { MiddlewareObj } from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../errors';
import type { LambdaHttpEvent, LambdaHttpResult } from '../types';

const JSON_MEDIA_TYPE = /^application\/(.+\+)?json\s*($|;)/i;

function bodyBytes(event: LambdaHttpEvent): number {
  if (event.body === undefined) return 0;
  return event.isBase64Encoded
    ? Math.floor((event.body.length * 3) / 4)
    : Buffer.byteLength(event.body, 'utf8');
}

export function jsonBody({
  maxBytes,
}: {
  maxBytes: number;
}): MiddlewareObj<LambdaHttpEvent, LambdaHttpResult> {
  const parser = httpJsonBodyParser();
  return {
    before: async (request) => {
      const { event } = request;
      if (bodyBytes(event) > maxBytes) throw new PayloadTooLargeError(maxBytes);
      const contentType = event.headers?.['content-type'] ?? '';
      if (!JSON_MEDIA_TYPE.test(contentType)) throw new UnsupportedMediaTypeError();
      if (event.body === undefined || event.body.trim() === '') {
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
