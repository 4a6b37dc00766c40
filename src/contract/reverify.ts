import { z } from 'zod'

export const ReverifyResult = z.object({
  /** Documents verified again. */
  checked: z.number().int(),
  /** Documents whose verdict changed; the old verdicts are kept in their history. */
  changed: z.number().int(),
})
export type ReverifyResult = z.infer<typeof ReverifyResult>
