import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import type { Transport, TransportInit } from './http'

/*
 * The registry connector's requests over node:http(s) with keep-alive agents, instead of Node's fetch. A sync
 * with nothing new is about one small conditional request per attachment tag, so the cost of one request is
 * the cost of the sync: measured on 1,000 `304`s, fetch (undici) spent about 1.0–1.4 ms of CPU a request in this
 * process and this transport about 0.5–0.8 (bench/sources.ts, docs/sources.md).
 *
 * It keeps what fetchWithRetry and the OCI client rely on from fetch: a WHATWG Response (bodies are small
 * manifests and blobs the client reads whole anyway), redirects followed (a registry sends blob reads to its
 * storage) with the Authorization header dropped when the redirect leaves the origin, as fetch does, so a
 * registry token never reaches a storage bucket; a timeout over the whole exchange, rejected as a TimeoutError.
 */

const agents = {
  'http:': new HttpAgent({ keepAlive: true }),
  'https:': new HttpsAgent({ keepAlive: true }),
}

/** fetch's limit. */
const MAX_REDIRECTS = 20

const REDIRECTS = new Set([301, 302, 303, 307, 308])

/** Statuses whose Response may not have a body (the Response constructor refuses one). */
const NULL_BODY = new Set([101, 204, 205, 304])

type Answer = { status: number; headers: Headers; body: Buffer | null }

const timeoutError = () => new DOMException('no answer within the timeout', 'TimeoutError')

function headersOf(message: IncomingMessage): Headers {
  const headers = new Headers()
  const raw = message.rawHeaders
  // Raw pairs keep repeated headers (Link, WWW-Authenticate) as fetch would, joined by Headers.
  for (let index = 0; index + 1 < raw.length; index += 2) headers.append(raw[index] as string, raw[index + 1] as string)
  return headers
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
        resolve({ status, headers: headersOf(message), body: NULL_BODY.has(status) || method === 'HEAD' ? null : Buffer.concat(chunks) })
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

export const nodeTransport: Transport = async (target: string, init: TransportInit): Promise<Response> => {
  const deadline = performance.now() + init.timeoutMs
  let url = new URL(target)
  let method = init.method ?? 'GET'
  const headers: OutgoingHttpHeaders = { ...init.headers }
  for (let redirects = 0; ; redirects++) {
    const answer = await exchangeOnce(url, method, headers, deadline)
    const location = answer.headers.get('location')
    if (!REDIRECTS.has(answer.status) || location === null) {
      // A view of the same bytes (Buffer.concat allocates a plain ArrayBuffer; the type allows a shared one).
      const body = answer.body === null ? null : new Uint8Array(answer.body.buffer as ArrayBuffer, answer.body.byteOffset, answer.body.byteLength)
      return new Response(body, { status: answer.status, headers: answer.headers })
    }
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
