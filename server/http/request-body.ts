import { IncomingMessage } from 'node:http'
import type { Context } from 'hono'

/** A request body read whole, or `null` when it is longer than the limit (then it was not read to its end). */
export type ReadBody = Buffer | null

/**
 * Reads a request's body up to `maxBytes`, as hono's `bodyLimit` with `arrayBuffer()` would, for the routes that
 * take one document per request at CI rates. Under @hono/node-server the bytes are read straight from Node's
 * request: going through `c.req.raw` makes the server build a web `Request` (an AbortController, a web stream over
 * the socket, a copy per chunk), which cost about a third as much CPU as verifying the document it carried. Elsewhere
 * (`app.request()` in tests, other runtimes) the web stream is read.
 */
export async function readRequestBody(c: Context, maxBytes: number): Promise<ReadBody> {
  const declared = c.req.header('content-length')
  // A declared length is checked before anything is read, as bodyLimit does (not with chunked bodies).
  if (declared !== undefined && c.req.header('transfer-encoding') === undefined && Number.parseInt(declared, 10) > maxBytes) return null
  const incoming = nodeIncoming(c)
  return incoming ? readIncoming(incoming, maxBytes) : readStream(c.req.raw.body, maxBytes)
}

/** Node's request under @hono/node-server (`c.env.incoming`), while nothing has started reading it. */
function nodeIncoming(c: Context): IncomingMessage | null {
  const env: unknown = c.env
  if (typeof env !== 'object' || env === null || !('incoming' in env) || !(env.incoming instanceof IncomingMessage)) return null
  return env.incoming.readableDidRead || env.incoming.readableEnded ? null : env.incoming
}

function readIncoming(incoming: IncomingMessage, maxBytes: number): Promise<ReadBody> {
  // Listeners written inline: a request is a handful of chunks, and each named closure made per request costs.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    incoming.on('data', (chunk: Buffer) => {
      if (size > maxBytes) return
      size += chunk.byteLength
      if (size <= maxBytes) {
        chunks.push(chunk)
        return
      }
      // Past the limit the rest is read and dropped, so the client can finish sending and read the answer (413).
      chunks.length = 0
      resolve(null)
    })
    // A copy of its own, as arrayBuffer() gave: a chunk may be a view into a larger buffer of the socket's.
    incoming.on('end', () => resolve(size > maxBytes ? null : Buffer.concat(chunks, size)))
    incoming.on('error', reject)
    incoming.on('aborted', () => reject(new Error('the client closed the connection before sending the whole body')))
  })
}

async function readStream(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<ReadBody> {
  if (body === null) return Buffer.alloc(0)
  const reader = body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel()
      return null
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks, size)
}
