import { Agent as HttpAgent, request as httpRequest, type OutgoingHttpHeaders } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import type { SourceResponse, Transport, TransportInit } from './http'

/*
 * The registry connector's requests over node:http(s) with keep-alive agents, instead of Node's fetch. A sync
 * with nothing new is about one small conditional request per attachment tag, so the cost of one request is
 * the cost of the sync: measured on 1,000 `304`s, fetch (undici) spent about 1.0–1.4 ms of CPU a request in this
 * process and this transport about 0.5–0.8 when it still built a WHATWG Response and Headers for each answer;
 * without them, about a third less again (bench/sources.ts, docs/sources.md).
 *
 * It keeps what fetchWithRetry and the OCI client rely on from fetch: an answer with fetch's status, headers
 * (repeated ones joined, names in any case) and body (small manifests and blobs the client reads whole anyway),
 * redirects followed (a registry sends blob reads to its storage) with the Authorization header dropped when the
 * redirect leaves the origin, as fetch does, so a registry token never reaches a storage bucket; a timeout over
 * the whole exchange, rejected as a TimeoutError.
 */

const agents = {
  'http:': new HttpAgent({ keepAlive: true }),
  'https:': new HttpsAgent({ keepAlive: true }),
}

/** fetch's limit. */
const MAX_REDIRECTS = 20

const REDIRECTS = new Set([301, 302, 303, 307, 308])

/** Statuses without a body (fetch's Response has none for them either). */
const NULL_BODY = new Set([101, 204, 205, 304])

type Answer = { status: number; headers: AnswerHeaders; body: Buffer | null }

const timeoutError = () => new DOMException('no answer within the timeout', 'TimeoutError')

/** An answer's headers by lower-case name, repeated ones (Link, WWW-Authenticate) joined with ", " as fetch's Headers does. */
class AnswerHeaders {
  private readonly values = new Map<string, string>()

  constructor(raw: readonly string[]) {
    for (let index = 0; index + 1 < raw.length; index += 2) {
      const name = (raw[index] as string).toLowerCase()
      const value = raw[index + 1] as string
      const before = this.values.get(name)
      this.values.set(name, before === undefined ? value : `${before}, ${value}`)
    }
  }

  get(name: string): string | null {
    return this.values.get(name.toLowerCase()) ?? null
  }

  has(name: string): boolean {
    return this.values.has(name.toLowerCase())
  }
}

const noBody = { cancel: () => Promise.resolve() }

/** The answer as the connectors read it; its body is already whole, so cancelling it has nothing to stop. */
class NodeAnswer implements SourceResponse {
  constructor(
    readonly status: number,
    readonly headers: AnswerHeaders,
    private readonly bytes: Buffer | null,
  ) {}

  get ok(): boolean {
    return this.status >= 200 && this.status <= 299
  }

  get body(): SourceResponse['body'] {
    return this.bytes === null ? null : noBody
  }

  text(): Promise<string> {
    return Promise.resolve(this.bytes === null ? '' : this.bytes.toString('utf8'))
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = this.bytes
    return Promise.resolve(bytes === null ? new ArrayBuffer(0) : (bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer))
  }
}

/** A request sent on a kept-alive socket that the server had closed: nothing reached it, so it can be sent again. */
class StaleSocket extends Error {
  constructor(readonly original: Error) {
    super(original.message)
  }
}

/** One request, its body read whole; rejects on connection failures and when `deadline` passes. */
function exchange(url: URL, method: string, headers: OutgoingHttpHeaders, deadline: number): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    const agent = url.protocol === 'https:' ? agents['https:'] : url.protocol === 'http:' ? agents['http:'] : null
    if (agent === null) {
      reject(new Error(`unsupported protocol ${url.protocol}`))
      return
    }
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest
    const request = send(url, { method, headers, agent })
    let answered = false
    const timer = setTimeout(
      () => {
        reject(timeoutError())
        request.destroy()
      },
      Math.max(0, deadline - performance.now()),
    )
    const fail = (error: Error) => {
      clearTimeout(timer)
      const code = 'code' in error ? error.code : null
      reject(!answered && request.reusedSocket && (code === 'ECONNRESET' || code === 'EPIPE') ? new StaleSocket(error) : error)
    }
    request.once('error', fail)
    request.once('response', (message) => {
      answered = true
      const chunks: Buffer[] = []
      message.on('data', (chunk: Buffer) => chunks.push(chunk))
      message.once('error', fail)
      message.once('end', () => {
        clearTimeout(timer)
        const status = message.statusCode ?? 0
        resolve({ status, headers: new AnswerHeaders(message.rawHeaders), body: NULL_BODY.has(status) || method === 'HEAD' ? null : Buffer.concat(chunks) })
      })
    })
    request.end()
  })
}

/**
 * A keep-alive socket the server closed while idle fails the next request on it before any answer; that
 * request (ours are all reads) is sent once more on a fresh socket, as Node's documentation advises.
 */
async function exchangeOnce(url: URL, method: string, headers: OutgoingHttpHeaders, deadline: number): Promise<Answer> {
  try {
    return await exchange(url, method, headers, deadline)
  } catch (error) {
    if (!(error instanceof StaleSocket)) throw error
    try {
      return await exchange(url, method, headers, deadline)
    } catch (again) {
      throw again instanceof StaleSocket ? again.original : again
    }
  }
}

export const nodeTransport: Transport = async (target: string, init: TransportInit): Promise<SourceResponse> => {
  const deadline = performance.now() + init.timeoutMs
  let url = new URL(target)
  let method = init.method ?? 'GET'
  const headers: OutgoingHttpHeaders = { ...init.headers }
  for (let redirects = 0; ; redirects++) {
    const answer = await exchangeOnce(url, method, headers, deadline)
    const location = answer.headers.get('location')
    if (!REDIRECTS.has(answer.status) || location === null) return new NodeAnswer(answer.status, answer.headers, answer.body)
    if (redirects >= MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects`)
    const next = new URL(location, url)
    // As fetch: credentials meant for the registry never go to another origin (its storage, a CDN).
    if (next.origin !== url.origin) {
      for (const name of Object.keys(headers)) if (name.toLowerCase() === 'authorization') delete headers[name]
    }
    if (answer.status === 303 && method !== 'HEAD') method = 'GET'
    url = next
  }
}
