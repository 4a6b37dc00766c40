import { serve, type ServerType } from '@hono/node-server'

/**
 * Serves an app's fetch handler on a free loopback port for a bench, answering its base URL. Benches leave the
 * client's pooled connections idle for minutes between phases; a server closing them at its default 5 s keep-alive
 * races the client's next request (ECONNRESET), so they are kept open for the length of the run.
 */
export async function listen(fetch: (request: Request) => Response | Promise<Response>): Promise<{ base: string; server: ServerType }> {
  const server = serve({ fetch, port: 0, hostname: '127.0.0.1' })
  if ('keepAliveTimeout' in server) server.keepAliveTimeout = 10 * 60_000
  await new Promise((resolve) => server.once('listening', resolve))
  const address = server.address()
  return { base: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, server }
}
