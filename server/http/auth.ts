import { createHash, timingSafeEqual } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import type { Config, Scope } from '../config'
import { apiError } from './errors'

/** The bearer-token check of one scope; `read` passes without a token unless reads require one. */
export type Auth = (scope: Scope) => MiddlewareHandler

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest()

/** Finds the configured token whose SHA-256 matches, comparing in constant time. */
export function tokenFor(config: Config, header: string | undefined): Config['tokens'][number] | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')
  if (!match?.[1]) return undefined
  const digest = sha256(match[1])
  return config.tokens.find((token) => timingSafeEqual(Buffer.from(token.sha256, 'hex'), digest))
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
