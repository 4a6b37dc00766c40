import { z } from 'zod'
import { Instant } from './common'

/*
 * The project list, declared apart from the rest of the builds resource (./builds.ts, which re-exports it and
 * serves it) so that the screens that only filter by project (signatures, artifacts, alerts) load it without the
 * build detail's schemas and the pipeline runs they name: a module's schemas are all made when it is first imported.
 */

export const ProjectSummary = z.object({
  name: z.string(),
  sourceRepo: z.string().nullable(),
  builds: z.number().int(),
  lastBuildAt: Instant.nullable(),
})
export type ProjectSummary = z.infer<typeof ProjectSummary>

export const ProjectList = z.object({ items: z.array(ProjectSummary) })
export type ProjectList = z.infer<typeof ProjectList>
