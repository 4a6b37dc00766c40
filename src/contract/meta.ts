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

/** `/healthz` while the process is up but its store cannot be reached (PostgreSQL down or out of reach). */
export const HealthUnavailable = z.object({
  status: z.literal('unavailable'),
  store: z.enum(['sqlite', 'postgres']),
  /** What failed, as the database driver said it. */
  message: z.string(),
})
export type HealthUnavailable = z.infer<typeof HealthUnavailable>

/** One file of the running build whose bytes are not the ones its provenance attests. */
export const ChangedOutput = z.object({
  /** Its path from the checkout, as the provenance names it: `dist/assets/index-….js`. */
  name: z.string(),
  /** `sha256:<hex>` the provenance attests. */
  attested: z.string(),
  /** `sha256:<hex>` of the file this server reads and serves. */
  served: z.string(),
})
export type ChangedOutput = z.infer<typeof ChangedOutput>

/**
 * The running program's own build (the demo shows it): whether the files this server serves are the ones its
 * build-time provenance attests, compared file by file when it started.
 */
export const OwnBuild = z.discriminatedUnion('compared', [
  z.object({ compared: z.literal(false), reason: z.string() }),
  z.object({
    compared: z.literal(true),
    /** The provenance compared against: `dist/attestations/provenance.dsse.json`. */
    provenance: z.string(),
    matched: z.number().int().nonnegative(),
    changed: z.array(ChangedOutput),
    /** Attested, but not on disk. */
    missing: z.array(z.string()),
    /** On disk, but attested by no subject. */
    unlisted: z.array(z.string()),
  }),
])
export type OwnBuild = z.infer<typeof OwnBuild>

/** The meta routes, declared once: mounted by the server, published as OpenAPI. */
export const metaRoutes = {
  health: {
    method: 'get',
    path: '/healthz',
    summary: 'Liveness and store check',
    scope: 'none',
    responses: {
      200: { description: 'Up, and the store answers', schema: Health },
      503: { description: 'Up, but the store cannot be reached; a load balancer should send requests elsewhere', schema: HealthUnavailable },
    },
  },
  meta: {
    method: 'get',
    path: '/api/v1/meta',
    summary: 'Server facts the SPA needs before its first request',
    scope: 'none',
    responses: { 200: { description: 'Server facts', schema: ServerMeta } },
  },
  ownBuild: {
    method: 'get',
    path: '/api/v1/own-build',
    summary: "The running program's files compared with its own build-time provenance",
    scope: 'read',
    responses: { 200: { description: 'The comparison, or why none was made', schema: OwnBuild } },
  },
} as const satisfies Record<string, RouteSpec>
