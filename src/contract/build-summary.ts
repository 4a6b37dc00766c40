import { z } from 'zod'
import { BuildId, Instant, Subject, VerificationStatus } from './common'

/*
 * A build as lists show it, declared apart from the rest of the builds resource (./builds.ts, which re-exports
 * it) so that a screen listing builds among other things (the overview's recent failures, an artifact's builds)
 * loads it without the build detail's schemas and the pipeline runs they name: a module's schemas are all made
 * when it is first imported.
 */

export const BuildSummary = z.object({
  id: BuildId,
  /** Short project name derived from the source repository (`org/repo`), or the builder when there is none. */
  project: z.string(),
  sourceRepo: z.string().nullable(),
  sourceCommit: z.string().nullable(),
  builderId: z.string().nullable(),
  buildType: z.string().nullable(),
  subjects: z.array(Subject),
  status: VerificationStatus,
  failedCheck: z.string().nullable(),
  startedAt: Instant.nullable(),
  finishedAt: Instant.nullable(),
  ingestedAt: Instant,
  /** The time the build is sorted and filtered by: finish, else start, else ingest time. */
  time: Instant,
})
export type BuildSummary = z.infer<typeof BuildSummary>
