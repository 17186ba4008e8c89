/**
 * CORS for the web client, configured on the HTTP API (CORS_ALLOWED_ORIGINS; the e2e server runs
 * with the default, the Vite dev origin). Preflights are answered without a Lambda.
 */
import { describe, expect, inject, it } from 'vitest';

const preflight = (origin: string) =>
  fetch(`${inject('offlineUrl')}/api/messages`, {
    method: 'OPTIONS',
    headers: {
      Origin: origin,
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'content-type,idempotency-key',
    },
  });

describe('CORS', () => {
  it('lets the allowed origin send JSON with the cookie and an Idempotency-Key', async () => {
    const response = await preflight('http://localhost:5173');
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain(
      'idempotency-key',
    );
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
  });

  it('gives any other origin no permission', async () => {
    const response = await preflight('https://evil.example');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });
});
