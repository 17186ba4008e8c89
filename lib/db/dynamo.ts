/**
 * The one DynamoDB document client of this Lambda instance.
 *
 * Creating the client opens nothing; its keep-alive agent keeps the TCP/TLS connection of the
 * first invocation for the next ones. Timeouts are short and retries few, so an unreachable
 * endpoint answers 503 in seconds rather than after the SDK's default retry ladder.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Socket } from 'node:net';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from '../config';
import { DatabaseUnavailableError } from './errors';

/** Sockets this instance has opened to DynamoDB; reuse keeps it at one per concurrent request. */
export const dynamoSocketStats = { opened: 0 };

function countSockets<T extends HttpAgent>(agent: T): T {
  const create = agent.createConnection.bind(agent);
  agent.createConnection = ((...args: Parameters<HttpAgent['createConnection']>) => {
    dynamoSocketStats.opened += 1;
    return create(...args) as Socket;
  }) as HttpAgent['createConnection'];
  return agent;
}

const SDK_MAX_ATTEMPTS = 2;

let client: DynamoDBDocumentClient | undefined;

/** Returns the document client (marshalls plain JS objects), created on first use. */
export function getDynamo(): DynamoDBDocumentClient {
  if (!client) {
    const { region, endpoint, timeoutMs } = config().dynamo;
    const agentOptions = { keepAlive: true, maxSockets: 50 };
    const base = new DynamoDBClient({
      region,
      maxAttempts: SDK_MAX_ATTEMPTS,
      requestHandler: {
        connectionTimeout: Math.min(timeoutMs, 1_000),
        requestTimeout: timeoutMs,
        httpAgent: countSockets(new HttpAgent(agentOptions)),
        httpsAgent: countSockets(new HttpsAgent(agentOptions)),
      },
      ...(endpoint
        ? {
            endpoint,
            // A local endpoint (dynalite) accepts any key; without one the SDK's credential chain
            // would probe the EC2 metadata address, which does not exist off AWS.
            credentials: {
              accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'local',
              secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
            },
          }
        : {}),
    });
    client = DynamoDBDocumentClient.from(base, {
      marshallOptions: { removeUndefinedValues: true },
    });
  }
  return client;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

const SERVICE_UNAVAILABLE_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ServiceUnavailable',
  'InternalServerError',
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
]);

/** True when `error` means DynamoDB could not be reached or could not serve the request now. */
export function isDynamoUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code, $metadata } = error as Error & {
    code?: string;
    $metadata?: { httpStatusCode?: number };
  };
  if (code && NETWORK_CODES.has(code)) return true;
  if (SERVICE_UNAVAILABLE_NAMES.has(error.name)) return true;
  return ($metadata?.httpStatusCode ?? 0) >= 500;
}

/** Runs `operation`, turning connectivity failures into DatabaseUnavailableError. */
export async function withDynamo<T>(
  operation: (client: DynamoDBDocumentClient) => Promise<T>,
): Promise<T> {
  try {
    return await operation(getDynamo());
  } catch (error) {
    if (isDynamoUnavailable(error))
      throw new DatabaseUnavailableError('dynamodb', { cause: error });
    throw error;
  }
}

/** A cheap read of the sessions table (a key that never exists); used by the health check. */
export function pingDynamo(): Promise<void> {
  return withDynamo(async (dynamo) => {
    await dynamo.send(
      new GetItemCommand({
        TableName: config().dynamo.sessionsTable,
        Key: { pk: { S: 'health-check' } },
      }),
    );
  });
}

/** Drops the client (tests); the next getDynamo() builds a new one. */
export function closeDynamo(): void {
  client?.destroy();
  client = undefined;
}
