/** GET /api/health through serverless-offline, as a client sees it. */
import { describe, expect, inject, it } from 'vitest';

describe('GET /api/health over HTTP', () => {
  const baseUrl = inject('offlineUrl');

  it('answers 200 JSON with every store ok and API security headers', async () => {
    const response = await fetch(`${baseUrl}/api/health`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(await response.json()).toEqual({ mongo: 'ok', messages: 'ok', sessions: 'ok' });
  });

  it('keeps answering 200 on repeated requests to a warm instance', async () => {
    const statuses = [];
    for (let i = 0; i < 5; i += 1) statuses.push((await fetch(`${baseUrl}/api/health`)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
  });

  it('serves the OpenAPI 3.1 document at /api/openapi.json', async () => {
    const response = await fetch(`${baseUrl}/api/openapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/api/health', '/api/messages']),
    );
  });
});
