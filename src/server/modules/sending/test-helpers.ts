import type { TestServer } from '../../../../test/helpers/server.js';

/** Any method with a JSON body (the shared test client has no PUT, and no DELETE with a body). */
export function call(
  server: TestServer,
  session: { cookie: string },
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  payload?: unknown,
) {
  return server.app.inject({
    method,
    url,
    headers: {
      origin: server.origin,
      cookie: session.cookie,
      ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    payload: payload === undefined ? undefined : JSON.stringify(payload),
  });
}
