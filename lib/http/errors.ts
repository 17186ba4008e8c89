/** HTTP errors a handler or middleware throws; the error middleware turns them into JSON responses. */

/** One problem with the request, e.g. `{ path: 'body.email', message: 'Invalid email address' }`. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** Base class: `status` and machine-readable `code` go into the response as they are. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues?: FieldIssue[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequestError extends HttpError {
  constructor(message = 'Bad request', issues?: FieldIssue[]) {
    super(400, 'BAD_REQUEST', message, issues);
  }
}

export class UnauthorizedError extends HttpError {
  constructor(message = 'Not signed in') {
    super(401, 'UNAUTHORIZED', message);
  }
}

export class ForbiddenError extends HttpError {
  constructor(message = 'Not allowed') {
    super(403, 'FORBIDDEN', message);
  }
}

export class NotFoundError extends HttpError {
  constructor(message = 'Not found') {
    super(404, 'NOT_FOUND', message);
  }
}

export class ConflictError extends HttpError {
  constructor(message = 'Conflict', code = 'CONFLICT') {
    super(409, code, message);
  }
}

export class PayloadTooLargeError extends HttpError {
  constructor(limitBytes: number) {
    super(413, 'PAYLOAD_TOO_LARGE', `Request body is larger than ${limitBytes} bytes`);
  }
}

export class UnsupportedMediaTypeError extends HttpError {
  constructor() {
    super(415, 'UNSUPPORTED_MEDIA_TYPE', 'Request body must be application/json');
  }
}

export class UnprocessableEntityError extends HttpError {
  constructor(message: string) {
    super(422, 'UNPROCESSABLE_ENTITY', message);
  }
}

export class TooManyRequestsError extends HttpError {
  constructor(retryAfterSeconds: number, message = 'Too many attempts; try again later') {
    super(429, 'TOO_MANY_REQUESTS', message, undefined, {
      'Retry-After': String(retryAfterSeconds),
    });
  }
}

export class ServiceUnavailableError extends HttpError {
  constructor(message = 'A database is temporarily unavailable; retry shortly') {
    super(503, 'SERVICE_UNAVAILABLE', message, undefined, { 'Retry-After': '1' });
  }
}

/**
 * The request ran out of its function's time (see REQUEST_DEADLINE_MARGIN_MS in stack.ts). A 503
 * the client may retry, instead of the Lambda timeout API Gateway would turn into a bare 5xx.
 */
export class DeadlineExceededError extends ServiceUnavailableError {
  constructor() {
    super('The request took too long; retry shortly');
  }
}
