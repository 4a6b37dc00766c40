import { z } from 'zod'
import type { RouteSpec } from './route-spec'

/** What the SPA needs to know before its first real request. Always readable without a token. */
export const ServerMeta = z.object({
  version: z.string(),
  readRequiresToken: z.boolean(),
  demo: z.boolean(),
  store: z.enum(['sqlite', 'postgres']),
})
export type ServerMeta = z.infer<typeof ServerMeta>

export const Health = z.object({
  status: z.literal('ok'),
  store: z.enum(['sqlite', 'postgres']),
  documents: z.number().int(),
})
export type Health = z.infer<typeof Health>

/** The meta routes, declared once: mounted by the server, published as OpenAPI. */
export const metaRoutes = {
  health: {
    method: 'get',
    path: '/healthz',
    summary: 'Liveness and store check',
    scope: 'none',
    responses: { 200: { description: 'Up', schema: Health } },
  },
  meta: {
    method: 'get',
    path: '/api/v1/meta',
    summary: 'Server facts the SPA needs before its first request',
    scope: 'none',
    responses: { 200: { description: 'Server facts', schema: ServerMeta } },
  },
} as const satisfies Record<string, RouteSpec>
