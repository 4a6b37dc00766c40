import { z } from 'zod'
import { BuildId, DocumentId, Subject, Verification } from './common'

export const IngestedDocument = z.object({
  id: DocumentId,
  /** 1-based line of a JSONL body; absent for a single JSON document. */
  line: z.number().int().optional(),
  format: z.string(),
  /** False when the same bytes were already stored: the existing record is returned, not a duplicate. */
  created: z.boolean(),
  buildId: BuildId.nullable(),
  subjects: z.array(Subject),
  verification: Verification,
})
export type IngestedDocument = z.infer<typeof IngestedDocument>

export const LineError = z.object({
  line: z.number().int().optional(),
  code: z.string(),
  message: z.string(),
  path: z.string().optional(),
})
export type LineError = z.infer<typeof LineError>

export const IngestResponse = z.object({
  documents: z.array(IngestedDocument),
  /** Lines of a JSONL body that were rejected; the good lines are stored all the same. */
  errors: z.array(LineError),
})
export type IngestResponse = z.infer<typeof IngestResponse>
