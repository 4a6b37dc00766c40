import { z } from 'zod'
import { errors, type RouteSpec } from './route-spec'

/** The latest signed tree head of the server's append-only document log (RFC 6962 Merkle tree). */
export const LogCheckpoint = z.object({
  /** The log's name, as it appears in the signed note. */
  origin: z.string(),
  /** Number of documents in the log. */
  size: z.number().int().min(0),
  /** Root hash of the tree, hex. */
  rootHash: z.string().regex(/^[0-9a-f]{64}$/),
  /** The checkpoint as a C2SP signed note: origin, size, base64 root, blank line, Ed25519 signature line. */
  note: z.string(),
  /** The log's Ed25519 public key (SPKI PEM), to check the note offline. */
  publicKeyPem: z.string(),
})
export type LogCheckpoint = z.infer<typeof LogCheckpoint>

/** The log routes, declared once: mounted by the server, published as OpenAPI. */
export const logRoutes = {
  logCheckpoint: {
    method: 'get',
    path: '/api/v1/log/checkpoint',
    summary: 'The signed checkpoint of the append-only document log, with the key to check it',
    scope: 'read',
    responses: { 200: { description: 'The latest checkpoint', schema: LogCheckpoint }, ...errors },
  },
} as const satisfies Record<string, RouteSpec>
