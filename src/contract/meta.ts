import { z } from 'zod'

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
