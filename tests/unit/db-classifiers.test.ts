/**
 * The "is this engine unavailable?" classifiers. They construct the drivers' own error classes;
 * no driver is mocked and nothing connects.
 */
import {
  ConditionalCheckFailedException,
  InternalServerError,
  ProvisionedThroughputExceededException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { errors, types } from 'cassandra-driver';
import mongoose from 'mongoose';
import { describe, expect, it } from 'vitest';
import { isCassandraUnavailable, outcomeUnknown } from '../../lib/db/cassandra-errors';
import { isDynamoUnavailable } from '../../lib/db/dynamo';
import { DatabaseUnavailableError } from '../../lib/db/errors';
import { isMongoUnavailable } from '../../lib/db/mongo';

const { mongo } = mongoose;

/** The driver's error for a connection closed under a request, before it marks it a socket error. */
const socketClosedError = (): Error => Reflect.construct(errors.DriverError, ['Socket was closed']);

describe('isMongoUnavailable', () => {
  it('is true for a MongoNetworkError', () => {
    expect(isMongoUnavailable(new mongo.MongoNetworkError('connection reset'))).toBe(true);
  });

  it('is true for a MongoNetworkTimeoutError (a network error)', () => {
    expect(isMongoUnavailable(new mongo.MongoNetworkTimeoutError('timed out'))).toBe(true);
  });

  it('is true for a MongoServerSelectionError', () => {
    // (message, reason): the driver passes a TopologyDescription; only reason.error is read.
    const reason = { error: undefined } as unknown as ConstructorParameters<
      typeof mongo.MongoServerSelectionError
    >[1];
    const error = new mongo.MongoServerSelectionError('Server selection timed out', reason);
    expect(error.name).toBe('MongoServerSelectionError');
    expect(isMongoUnavailable(error)).toBe(true);
  });

  it('is true for a closed topology and a client that is not connected', () => {
    expect(isMongoUnavailable(new mongo.MongoTopologyClosedError())).toBe(true);
    expect(isMongoUnavailable(new mongo.MongoNotConnectedError('not connected'))).toBe(true);
  });

  it('is false for a duplicate key MongoServerError', () => {
    const duplicate = new mongo.MongoServerError({
      message: 'E11000 duplicate key error collection: plp.users index: email_1',
      code: 11000,
      keyValue: { email: 'a@b.c' },
    });
    expect(duplicate.code).toBe(11000);
    expect(isMongoUnavailable(duplicate)).toBe(false);
  });

  it('is true for a bare Node socket error the driver passes through (EPIPE as FerretDB stops)', () => {
    const epipe = Object.assign(new Error('This socket has been ended by the other party'), {
      code: 'EPIPE',
    });
    expect(isMongoUnavailable(epipe)).toBe(true);
    expect(isMongoUnavailable(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(
      true,
    );
  });

  it('is false for other failures and non-errors', () => {
    expect(isMongoUnavailable(new Error('connection refused'))).toBe(false);
    expect(isMongoUnavailable(Object.assign(new Error('no such file'), { code: 'ENOENT' }))).toBe(
      false,
    );
    expect(isMongoUnavailable(new mongoose.Error.ValidationError())).toBe(false);
    expect(isMongoUnavailable(new mongo.MongoInvalidArgumentError('bad option'))).toBe(false);
    expect(isMongoUnavailable({ name: 'MongoNetworkError' })).toBe(false);
    expect(isMongoUnavailable(undefined)).toBe(false);
    expect(isMongoUnavailable('MongoNetworkError')).toBe(false);
  });
});

describe('isCassandraUnavailable', () => {
  const codes = types.responseErrorCodes;

  it('is true for a bare Node socket error', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(isCassandraUnavailable(reset)).toBe(true);
  });

  it('is true for NoHostAvailableError', () => {
    expect(isCassandraUnavailable(new errors.NoHostAvailableError({}))).toBe(true);
    expect(
      isCassandraUnavailable(
        new errors.NoHostAvailableError({ '127.0.0.1:9042': new Error('ECONNREFUSED') }),
      ),
    ).toBe(true);
  });

  it('is true for OperationTimedOutError and BusyConnectionError', () => {
    expect(
      isCassandraUnavailable(new errors.OperationTimedOutError('timed out', '127.0.0.1:9042')),
    ).toBe(true);
    expect(isCassandraUnavailable(new errors.BusyConnectionError('127.0.0.1:9042', 2048, 1))).toBe(
      true,
    );
  });

  it.each([
    ['unavailableException', codes.unavailableException],
    ['overloaded', codes.overloaded],
    ['isBootstrapping', codes.isBootstrapping],
    ['writeTimeout', codes.writeTimeout],
    ['readTimeout', codes.readTimeout],
  ])('is true for a ResponseError with code %s', (_, code) => {
    expect(isCassandraUnavailable(new errors.ResponseError(code, 'server said no'))).toBe(true);
  });

  it.each([
    ['syntaxError', codes.syntaxError],
    ['invalid', codes.invalid],
    ['unauthorized', codes.unauthorized],
    ['alreadyExists', codes.alreadyExists],
    ['badCredentials', codes.badCredentials],
  ])('is false for a ResponseError with code %s', (_, code) => {
    expect(isCassandraUnavailable(new errors.ResponseError(code, 'bad statement'))).toBe(false);
  });

  it("is true for the driver's closed-socket error, sent or not", () => {
    const closed = Object.assign(socketClosedError(), { isSocketError: true });
    expect(isCassandraUnavailable(closed)).toBe(true);
    expect(isCassandraUnavailable(Object.assign(closed, { requestNotWritten: true }))).toBe(true);
  });

  it('is false for other driver errors, plain errors and non-errors', () => {
    expect(isCassandraUnavailable(socketClosedError())).toBe(false);
    expect(isCassandraUnavailable(new errors.ArgumentError('bad parameter'))).toBe(false);
    expect(isCassandraUnavailable(new errors.AuthenticationError('bad password'))).toBe(false);
    expect(isCassandraUnavailable(new Error('All host(s) tried for query failed'))).toBe(false);
    expect(isCassandraUnavailable({ code: codes.unavailableException })).toBe(false);
    expect(isCassandraUnavailable(null)).toBe(false);
  });
});

describe('outcomeUnknown', () => {
  const codes = types.responseErrorCodes;
  const socketClosed = (sent: boolean) =>
    Object.assign(socketClosedError(), {
      isSocketError: true,
      ...(sent ? {} : { requestNotWritten: true }),
    });

  it('is true for a write timeout, no answer in time, and a socket closed after sending', () => {
    expect(outcomeUnknown(new errors.ResponseError(codes.writeTimeout, 'CAS timed out'))).toBe(
      true,
    );
    expect(
      outcomeUnknown(new errors.OperationTimedOutError('no answer in 5000 ms', '127.0.0.2:9042')),
    ).toBe(true);
    expect(outcomeUnknown(socketClosed(true))).toBe(true);
  });

  it('looks through the DatabaseUnavailableError that withCassandra wraps it in', () => {
    const cause = new errors.ResponseError(codes.writeTimeout, 'CAS timed out');
    expect(outcomeUnknown(new DatabaseUnavailableError('cassandra', { cause }))).toBe(true);
    expect(outcomeUnknown(new DatabaseUnavailableError('cassandra'))).toBe(false);
  });

  it('is false where nothing was applied or nothing is known to have been sent', () => {
    expect(outcomeUnknown(socketClosed(false))).toBe(false);
    expect(outcomeUnknown(new errors.ResponseError(codes.unavailableException, 'no quorum'))).toBe(
      false,
    );
    expect(outcomeUnknown(new errors.ResponseError(codes.readTimeout, 'read timed out'))).toBe(
      false,
    );
    expect(outcomeUnknown(new errors.NoHostAvailableError({}))).toBe(false);
    expect(outcomeUnknown(new Error('boom'))).toBe(false);
  });
});

describe('isDynamoUnavailable', () => {
  const withCode = (code: string) => Object.assign(new Error(`connect ${code}`), { code });
  const named = (name: string) => Object.assign(new Error(name), { name });
  const withStatus = (httpStatusCode: number, name = 'SomeServiceError') =>
    Object.assign(new Error('service error'), { name, $metadata: { httpStatusCode } });

  it.each([
    'ECONNREFUSED',
    'ECONNRESET',
    'EPIPE',
    'ETIMEDOUT',
    'EHOSTUNREACH',
    'ENETUNREACH',
    'EAI_AGAIN',
    'ENOTFOUND',
  ])('is true for a network error with code %s', (code) => {
    expect(isDynamoUnavailable(withCode(code))).toBe(true);
  });

  it.each([
    'TimeoutError',
    'RequestTimeout',
    'RequestTimeoutException',
    'ServiceUnavailable',
    'ThrottlingException',
    'RequestLimitExceeded',
  ])('is true for an error named %s', (name) => {
    expect(isDynamoUnavailable(named(name))).toBe(true);
  });

  it('is true for the SDK InternalServerError and ProvisionedThroughputExceededException', () => {
    expect(isDynamoUnavailable(new InternalServerError({ message: 'oops', $metadata: {} }))).toBe(
      true,
    );
    expect(
      isDynamoUnavailable(
        new ProvisionedThroughputExceededException({
          message: 'slow down',
          $metadata: { httpStatusCode: 400 },
        }),
      ),
    ).toBe(true);
  });

  it.each([500, 502, 503, 504])('is true for an HTTP %i response', (status) => {
    expect(isDynamoUnavailable(withStatus(status))).toBe(true);
  });

  it('is false for ConditionalCheckFailedException', () => {
    const error = new ConditionalCheckFailedException({
      message: 'The conditional request failed',
      $metadata: { httpStatusCode: 400 },
    });
    expect(isDynamoUnavailable(error)).toBe(false);
  });

  it('is false for ResourceNotFoundException and other 4xx', () => {
    expect(
      isDynamoUnavailable(
        new ResourceNotFoundException({
          message: 'Requested resource not found',
          $metadata: { httpStatusCode: 400 },
        }),
      ),
    ).toBe(false);
    expect(isDynamoUnavailable(withStatus(400, 'ValidationException'))).toBe(false);
    expect(isDynamoUnavailable(withStatus(403, 'AccessDeniedException'))).toBe(false);
  });

  it('is false for plain errors, unknown codes and non-errors', () => {
    expect(isDynamoUnavailable(new Error('no such item'))).toBe(false);
    expect(isDynamoUnavailable(withCode('EACCES'))).toBe(false);
    expect(isDynamoUnavailable({ code: 'ECONNREFUSED' })).toBe(false);
    expect(isDynamoUnavailable({ name: 'TimeoutError' })).toBe(false);
    expect(isDynamoUnavailable(undefined)).toBe(false);
  });
});
