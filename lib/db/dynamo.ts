/**
 * The one DynamoDB document client of this Lambda instance.
 *
 * Creating the client opens nothing; its keep-alive agent keeps the TCP/TLS connection of the
 * first invocation for the next ones. Timeouts are short and retries few, so an unreachable
 * endpoint answers 503 in seconds rather than after the SDK's default retry ladder.
 */
import type { Agent as HttpAgent } from 'node:http';
import type { Socket } from 'node:net';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from '../config';
import { DatabaseUnavailableError, isNetworkError } from './errors';

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
/** Sockets one instance's keep-alive agent may open (verify/load/ checks connections against it). */
export const DYNAMO_MAX_SOCKETS = 50;

/** The document SDK's commands (GetCommand, PutCommand...), handed to withDynamo's operation. */
export type DynamoCommands = typeof import('@aws-sdk/lib-dynamodb');

let client: DynamoDBDocumentClient | undefined;
let sdk:
  | Promise<
      [
        typeof import('@aws-sdk/client-dynamodb'),
        DynamoCommands,
        typeof import('node:http'),
        typeof import('node:https'),
      ]
    >
  | undefined;

/**
 * The SDK is loaded on first use, not when the bundle loads: its ~50 ms of module start-up
 * (bench/RESULTS.md, cold start) is then paid only by invocations that reach DynamoDB, not by a
 * 404, a refused body or any function that never touches it.
 */
function loadSdk() {
  // node:https (and with it tls) too: ~5 ms that only the SDK's callers need.
  sdk ??= Promise.all([
    import('@aws-sdk/client-dynamodb'),
    import('@aws-sdk/lib-dynamodb'),
    import('node:http'),
    import('node:https'),
  ]);
  return sdk;
}

/**
 * Credentials for a local endpoint (dynalite, serverless-offline), which accepts any key: without
 * them the SDK's credential chain would probe the EC2 metadata address, which does not exist here.
 */
export function localCredentials() {
  return {
    accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'local',
    secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
  };
}

/** Returns the document client (marshalls plain JS objects), created on first use. */
export async function getDynamo(): Promise<DynamoDBDocumentClient> {
  const [{ DynamoDBClient }, { DynamoDBDocumentClient }, http, https] = await loadSdk();
  if (!client) {
    const { region, endpoint, timeoutMs } = config().dynamo;
    const agentOptions = { keepAlive: true, maxSockets: DYNAMO_MAX_SOCKETS };
    const base = new DynamoDBClient({
      region,
      maxAttempts: SDK_MAX_ATTEMPTS,
      requestHandler: {
        connectionTimeout: Math.min(timeoutMs, 1_000),
        requestTimeout: timeoutMs,
        httpAgent: countSockets(new http.Agent(agentOptions)),
        httpsAgent: countSockets(new https.Agent(agentOptions)),
      },
      ...(endpoint
        ? {
            endpoint,
            credentials: localCredentials(),
          }
        : {}),
    });
    client = DynamoDBDocumentClient.from(base, {
      marshallOptions: { removeUndefinedValues: true },
    });
  }
  return client;
}

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
  const { $metadata } = error as Error & { $metadata?: { httpStatusCode?: number } };
  if (isNetworkError(error)) return true;
  if (SERVICE_UNAVAILABLE_NAMES.has(error.name)) return true;
  return ($metadata?.httpStatusCode ?? 0) >= 500;
}

/**
 * True for a conditional write whose condition did not hold. By name, not instanceof: the SDK
 * class is loaded lazily, and a name survives two copies of the SDK in one bundle.
 */
export function isConditionFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** Runs `operation`, turning connectivity failures into DatabaseUnavailableError. */
export async function withDynamo<T>(
  operation: (client: DynamoDBDocumentClient, commands: DynamoCommands) => Promise<T>,
): Promise<T> {
  try {
    const dynamo = await getDynamo();
    const [, commands] = await loadSdk();
    return await operation(dynamo, commands);
  } catch (error) {
    if (isDynamoUnavailable(error))
      throw new DatabaseUnavailableError('dynamodb', { cause: error });
    throw error;
  }
}

/** A cheap read of the sessions table (a key that never exists); used by the health check. */
export function pingDynamo(): Promise<void> {
  return withDynamo(async (dynamo, { GetCommand }) => {
    await dynamo.send(
      new GetCommand({ TableName: config().dynamo.sessionsTable, Key: { pk: 'health-check' } }),
    );
  });
}

/** Drops the client (tests); the next getDynamo() builds a new one. */
export function closeDynamo(): void {
  client?.destroy();
  client = undefined;
}

/** The pages of a Query (each up to 1 MB), following LastEvaluatedKey to the end. */
export async function* queryPages(
  input: import('@aws-sdk/lib-dynamodb').QueryCommandInput,
): AsyncGenerator<Record<string, unknown>[]> {
  let start: Record<string, unknown> | undefined;
  do {
    const page = await withDynamo((dynamo, { QueryCommand }) =>
      dynamo.send(new QueryCommand({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) })),
    );
    yield page.Items ?? [];
    start = page.LastEvaluatedKey;
  } while (start);
}
