/**
 * The events and context Lambda hands a handler, built in-process: API Gateway's HTTP API (payload
 * 2.0) event and its WebSocket API event. Tests invoke handlers with them, and the cold-start
 * item feeds them to fresh processes.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

export interface EventOptions {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  query?: Record<string, string>;
  pathParameters?: Record<string, string>;
  cookies?: string[];
  /** The caller's address as API Gateway reports it (127.0.0.1 unless given). */
  sourceIp?: string;
}

/** An API Gateway v2 event; only the fields our stack reads are meaningful. */
export function httpEvent(options: EventOptions = {}): APIGatewayProxyEventV2 {
  const method = options.method ?? 'GET';
  const path = options.path ?? '/api/test';
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers: options.headers ?? {},
    ...(options.cookies ? { cookies: options.cookies } : {}),
    ...(options.query ? { queryStringParameters: options.query } : {}),
    ...(options.pathParameters ? { pathParameters: options.pathParameters } : {}),
    ...(options.body === undefined ? {} : { body: options.body }),
    isBase64Encoded: false,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: {
        method,
        path,
        protocol: 'HTTP/1.1',
        sourceIp: options.sourceIp ?? '127.0.0.1',
        userAgent: 'vitest',
      },
      requestId: randomUUID(),
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
  };
}

/** A Lambda context; each call is a new invocation id. */
export function lambdaContext(functionName = 'test-function'): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/11/26/[$LATEST]0123456789abcdef0123456789abcdef',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * API Gateway's event for a WebSocket route (the fields our stack reads are meaningful):
 * $connect carries the upgrade request's headers, the actions a frame.
 */
export function webSocketEvent(
  route: string,
  connectionId: string,
  { headers, frame }: { headers?: Record<string, string>; frame?: unknown },
) {
  const eventType =
    route === '$connect' ? 'CONNECT' : route === '$disconnect' ? 'DISCONNECT' : 'MESSAGE';
  const now = Date.now();
  return {
    requestContext: {
      routeKey: route,
      eventType,
      connectionId,
      messageId: eventType === 'MESSAGE' ? randomUUID() : undefined,
      extendedRequestId: randomUUID(),
      requestId: randomUUID(),
      requestTime: new Date(now).toUTCString(),
      requestTimeEpoch: now,
      connectedAt: now,
      messageDirection: 'IN',
      stage: 'dev',
      domainName: 'localhost',
      apiId: 'local',
    },
    ...(headers ? { headers } : {}),
    ...(frame === undefined ? {} : { body: JSON.stringify(frame) }),
    isBase64Encoded: false,
  };
}
