import { hash, timingSafeEqual } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import type { Config, Scope } from '../config'
import { apiError } from './errors'

/** The bearer-token check of one scope; `read` passes without a token unless reads require one. */
export type Auth = (scope: Scope) => MiddlewareHandler

/** The configured tokens' SHA-256 digests as bytes, decoded once per configuration rather than on every request. */
const digestsOf = new WeakMap<Config['tokens'], Buffer[]>()

/** Finds the configured token whose SHA-256 matches, comparing in constant time. */
export function tokenFor(config: Config, header: string | undefined): Config['tokens'][number] | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')
  if (!match?.[1]) return undefined
  // One-shot hash: no Hash object per request.
  const digest = hash('sha256', match[1], 'buffer')
  let digests = digestsOf.get(config.tokens)
  if (digests === undefined) {
    digests = config.tokens.map((token) => Buffer.from(token.sha256, 'hex'))
    digestsOf.set(config.tokens, digests)
  }
  for (const [index, token] of config.tokens.entries()) {
    const expected = digests[index]
    if (expected !== undefined && expected.length === digest.length && timingSafeEqual(expected, digest)) return token
  }
  return undefined
}

export function bearerAuth(config: Config): Auth {
  return (scope) => async (c, next) => {
    if (scope === 'read' && !config.readRequiresToken) return next()
    const header = c.req.header('authorization')
    if (!header) {
      c.header('WWW-Authenticate', 'Bearer')
      return apiError(c, 401, 'unauthenticated', `this request needs a bearer token with scope "${scope}" (Authorization: Bearer <token>)`, 'header.authorization')
    }
    const token = tokenFor(config, header)
    if (!token) {
      c.header('WWW-Authenticate', 'Bearer error="invalid_token"')
      return apiError(c, 401, 'invalid-token', 'the bearer token is not one this server knows', 'header.authorization')
    }
    if (!token.scopes.includes(scope)) {
      return apiError(c, 403, 'insufficient-scope', `token "${token.name}" has scope ${token.scopes.join(', ')}; this request needs "${scope}"`, 'header.authorization')
    }
    return next()
  }
}
