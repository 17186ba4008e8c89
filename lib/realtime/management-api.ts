/**
 * The API Gateway Management API of the WebSocket API: send a frame to a connection, close one.
 * Locally serverless-offline answers it on its WebSocket port. One client per Lambda instance,
 * loaded on first use (only the functions that deliver pay for the SDK), with short timeouts: a
 * send that hangs must not hold a fan-out.
 */
import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { config } from '../config';
import { localCredentials } from '../db/dynamo';

const SEND_TIMEOUT_MS = 3_000;

type ManagementSdk = typeof import('@aws-sdk/client-apigatewaymanagementapi');

let client: Promise<[ApiGatewayManagementApiClient, ManagementSdk]> | undefined;

function managementApi(): Promise<[ApiGatewayManagementApiClient, ManagementSdk]> {
  client ??= (async (): Promise<[ApiGatewayManagementApiClient, ManagementSdk]> => {
    const sdk = await import('@aws-sdk/client-apigatewaymanagementapi');
    const { managementEndpoint } = config().realtime;
    if (!managementEndpoint)
      throw new Error('WEBSOCKET_API_ENDPOINT is not set: nowhere to deliver');
    const api = new sdk.ApiGatewayManagementApiClient({
      region: config().dynamo.region,
      endpoint: managementEndpoint,
      maxAttempts: 2,
      requestHandler: { connectionTimeout: 1_000, requestTimeout: SEND_TIMEOUT_MS },
      ...(config().offline ? { credentials: localCredentials() } : {}),
    });
    return [api, sdk];
  })();
  // A failed start (no endpoint configured) is tried again by the next call, not cached.
  client.catch(() => {
    client = undefined;
  });
  return client;
}

/** A connection that no longer exists: API Gateway answers 410 Gone. */
function isGone(error: unknown): boolean {
  const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return name === 'GoneException' || $metadata?.httpStatusCode === 410;
}

/** Sends `payload` (a JSON text) to a connection: 'gone' when it no longer exists. */
export async function postToConnection(
  connectionId: string,
  payload: string,
): Promise<'sent' | 'gone'> {
  const [api, sdk] = await managementApi();
  try {
    await api.send(
      new sdk.PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from(payload) }),
    );
    return 'sent';
  } catch (error) {
    if (isGone(error)) return 'gone';
    throw error;
  }
}

/** Closes a connection (the server side of logout); one already gone is fine. */
export async function closeConnection(connectionId: string): Promise<void> {
  const [api, sdk] = await managementApi();
  try {
    await api.send(new sdk.DeleteConnectionCommand({ ConnectionId: connectionId }));
  } catch (error) {
    if (!isGone(error)) throw error;
  }
}
