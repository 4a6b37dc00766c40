/*
 * How the artifacts list treats builds with many files. One build may name hundreds of subjects (the dashboard's own
 * build names each of its 431 files): listed whole, a build like that fills pages of the list before any other
 * build's artifacts appear. So the list shows the first few subjects of each build (by their place in its statement),
 * and the last one listed says how many more the build has; its page lists them all.
 */

/** The first this many artifacts of each build are listed unless the query asks for another number. */
export const ARTIFACTS_PER_BUILD = 5

/**
 * How many artifacts of each build a list query shows (those whose place in the build's subjects is below it), or
 * null for every one: a list by exact name shows every match, since the file asked for may be anywhere in its build.
 */
export function artifactsListedPerBuild(query: { name?: string; perBuild: number }): number | null {
  return query.name === undefined ? query.perBuild : null
}
