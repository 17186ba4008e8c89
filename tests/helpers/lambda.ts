/** Invoking a handler in-process the way API Gateway (HTTP API, payload 2.0) would. */
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { type EventOptions, httpEvent, lambdaContext } from '../../harness/lambda-events';

export { type EventOptions, httpEvent, lambdaContext };

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

/** Invokes `handler` and returns its response with the JSON body parsed. */
export async function invoke(handler: Handler, options: EventOptions = {}) {
  const result = (await handler(
    httpEvent(options),
    lambdaContext(),
  )) as APIGatewayProxyStructuredResultV2;
  return {
    status: result.statusCode as number,
    headers: (result.headers ?? {}) as Record<string, string>,
    body: result.body ? (JSON.parse(result.body) as Record<string, unknown>) : undefined,
  };
}
