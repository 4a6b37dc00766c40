import { z } from 'zod'
import { errors, type RouteSpec } from './route-spec'

export const ReverifyResult = z.object({
  /** Documents verified again. */
  checked: z.number().int(),
  /** Documents whose verdict changed; the old verdicts are kept in their history. */
  changed: z.number().int(),
})
export type ReverifyResult = z.infer<typeof ReverifyResult>

/** The reverify routes, declared once: mounted by the server, published as OpenAPI. */
export const reverifyRoutes = {
  reverify: {
    method: 'post',
    path: '/api/v1/reverify',
    summary: 'Verify every stored document again with the current trust material and policies',
    scope: 'ingest',
    responses: { 200: { description: 'How many documents were checked and how many verdicts changed', schema: ReverifyResult }, ...errors },
  },
} as const satisfies Record<string, RouteSpec>
