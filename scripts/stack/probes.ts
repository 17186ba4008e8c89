/** "Does this engine answer its protocol?" — a real round trip, not just an open port. */
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { Client as CassandraClient } from 'cassandra-driver';
import { mongo } from 'mongoose';

/** Why the latest probe failed; start-up errors quote it when an engine never becomes ready. */
export const lastProbeFailure: Record<string, string> = {};

function failed(engine: string, error: unknown): false {
  lastProbeFailure[engine] = error instanceof Error ? error.message : String(error);
  return false;
}

/** A MongoDB `ping` through the driver; false on any failure. */
export async function mongoAnswers(url: string, timeoutMs = 1_500): Promise<boolean> {
  const client = new mongo.MongoClient(url, {
    serverSelectionTimeoutMS: timeoutMs,
    connectTimeoutMS: timeoutMs,
  });
  try {
    await client.connect();
    await client.db('admin').command({ ping: 1 });
    return true;
  } catch (error) {
    return failed('mongo', error);
  } finally {
    await client.close();
  }
}

/** Reads the node's release version over CQL; undefined when CQL does not answer. */
export async function cassandraVersion(
  contactPoint: string,
  dataCenter: string,
  timeoutMs = 2_000,
): Promise<string | undefined> {
  const client = new CassandraClient({
    contactPoints: [contactPoint],
    localDataCenter: dataCenter,
    socketOptions: { connectTimeout: timeoutMs, readTimeout: timeoutMs },
  });
  try {
    await client.connect();
    const result = await client.execute('SELECT release_version FROM system.local');
    return String(result.first()?.release_version ?? '?');
  } catch (error) {
    failed('cassandra', error);
    return undefined;
  } finally {
    await client.shutdown();
  }
}

/** A DynamoDB ListTables; false on any failure. */
export async function dynamoAnswers(endpoint: string, timeoutMs = 1_500): Promise<boolean> {
  const client = new DynamoDBClient({
    endpoint,
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs },
  });
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }));
    return true;
  } catch (error) {
    return failed('dynamodb', error);
  } finally {
    client.destroy();
  }
}
