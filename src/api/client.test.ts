import { http, HttpResponse } from 'msw'
import { z } from 'zod'
import { describe, expect, it } from 'vitest'
import { server } from '../../mocks/node'
import { ApiError, describeError } from './api-error'
import { getJson } from './client'
import { tokenStore } from './token-store'

const Thing = z.object({ name: z.string() })

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof ApiError) return error
    throw error
  }
  throw new Error('expected the request to fail')
}

describe('getJson', () => {
  it('parses the body with the schema and sends the query without empty values', async () => {
    server.use(
      http.get('/api/thing', ({ request }) => {
        const url = new URL(request.url)
        return HttpResponse.json({ name: url.search })
      }),
    )
    const result = await getJson('/api/thing', {
      query: { project: 'acme/web', status: undefined, from: '', cursor: null, limit: 50 },
      schema: Thing,
    })
    expect(result).toEqual({ name: '?project=acme%2Fweb&limit=50' })
  })

  it('builds ApiError from the error body', async () => {
    server.use(
      http.get('/api/thing', () =>
        HttpResponse.json({ error: { code: 'invalid-query', message: 'limit is too large', path: 'limit' } }, { status: 400 }),
      ),
    )
    const error = await failure(getJson('/api/thing', { schema: Thing }))
    expect(error).toMatchObject({ status: 400, code: 'invalid-query', message: 'limit is too large', path: 'limit', endpoint: '/api/thing' })
    expect(describeError(error).message).toBe('Limit is too large (at limit).')
  })

  it('shows an API message as a page says it: the place in words once, no route an API client would follow', () => {
    const said = (message: string, path: string) => describeError(new ApiError({ status: 400, code: 'invalid-query', message, path, endpoint: '/api/v1/x' })).message
    expect(said('query.from: "x" is not a digest, a commit or env:<name>', 'query.from')).toBe('"x" is not a digest, a commit or env:<name> (in the from filter).')
    expect(said('path.id: a report id is 32 lower-case hex characters', 'path.id')).toBe('A report id is 32 lower-case hex characters (in the id in the address).')
    expect(said('No build or rebuild is filed under project "nope"; GET /api/v1/projects lists them', 'query.project')).toBe(
      'No build or rebuild is filed under project "nope" (in the project filter).',
    )
    expect(said('No report with id 00; the list of reports is GET /api/v1/reports', 'path.id')).toBe('No report with id 00 (in the id in the address).')
    // A JSON path into a document is said once too, as where.
    expect(said('$.subject[0].digest: not a digest', '$.subject[0].digest')).toBe('Not a digest (at $.subject[0].digest).')
  })

  it('explains a failure without an error body', async () => {
    server.use(http.get('/api/thing', () => new HttpResponse(null, { status: 503 })))
    const error = await failure(getJson('/api/thing', { schema: Thing }))
    expect(error).toMatchObject({ status: 503, code: 'http-503' })
    // A plain sentence: the path is kept on the error for technical detail, never in the message.
    expect(error.message).toBe('The server answered 503 Service Unavailable.')
    expect(error.endpoint).toBe('/api/thing')
    expect(describeError(error).hint).toMatch(/retry/)
  })

  it('reports a network failure clearly', async () => {
    server.use(http.get('/api/thing', () => HttpResponse.error()))
    const error = await failure(getJson('/api/thing', { schema: Thing }))
    expect(error).toMatchObject({ status: 0, code: 'network' })
    expect(error.message).toBe('Could not reach the server. Check that it is running and that you are online.')
    expect(error.endpoint).toBe('/api/thing')
  })

  it('refuses a response that does not match the contract, saying where', async () => {
    server.use(http.get('/api/thing', () => HttpResponse.json({ name: 42 })))
    const error = await failure(getJson('/api/thing', { schema: Thing }))
    expect(error).toMatchObject({ code: 'invalid-response', path: 'name' })
    expect(error.message).toMatch(/does not match the API contract: name:/)
  })

  it('refuses a body that is not JSON', async () => {
    server.use(http.get('/api/thing', () => new HttpResponse('<html>', { headers: { 'Content-Type': 'text/html' } })))
    const error = await failure(getJson('/api/thing', { schema: Thing }))
    expect(error.code).toBe('invalid-json')
    expect(error.message).toBe('The server’s answer is not valid JSON.')
  })

  it('sends the stored token as a bearer token', async () => {
    server.use(http.get('/api/thing', ({ request }) => HttpResponse.json({ name: request.headers.get('authorization') ?? 'none' })))
    expect(await getJson('/api/thing', { schema: Thing })).toEqual({ name: 'none' })
    tokenStore.save('secret-1')
    expect(await getJson('/api/thing', { schema: Thing })).toEqual({ name: 'Bearer secret-1' })
    expect(sessionStorage.getItem('provenance-dashboard.read-token')).toBe('secret-1')
  })

  it('asks for a token on 401, and forgets a token the server refused', async () => {
    server.use(http.get('/api/thing', () => HttpResponse.json({ error: { code: 'token-required', message: 'Reading needs a token' } }, { status: 401 })))
    await failure(getJson('/api/thing', { schema: Thing }))
    expect(tokenStore.getSnapshot()).toEqual({ token: null, prompt: 'required' })

    tokenStore.save('wrong')
    await failure(getJson('/api/thing', { schema: Thing }))
    expect(tokenStore.getSnapshot()).toEqual({ token: null, prompt: 'rejected' })
    expect(sessionStorage.getItem('provenance-dashboard.read-token')).toBeNull()
  })

  it('lets cancellation through untouched', async () => {
    server.use(http.get('/api/thing', async () => {
      await new Promise((resolve) => setTimeout(resolve, 200))
      return HttpResponse.json({ name: 'late' })
    }))
    const controller = new AbortController()
    const promise = getJson('/api/thing', { schema: Thing, signal: controller.signal })
    controller.abort()
    await expect(promise).rejects.not.toBeInstanceOf(ApiError)
  })
})
