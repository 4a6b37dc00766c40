import { validRange } from 'semver'
import { z } from 'zod'
import { SourceName } from '../../src/contract/sources'

/*
 * `sources:` of the config file. Secrets are never written in the file: a source names the environment
 * variables holding them, and they are read when a request needs them, so they never reach the database.
 */

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected the name of an environment variable (letters, digits, _)')

const baseUrl = (example: string) =>
  z
    .url({ message: `expected an http(s) URL such as ${example}` })
    .refine((value) => /^https?:\/\//i.test(value), `expected an http(s) URL such as ${example}`)
    .refine((value) => new URL(value).username === '' && new URL(value).password === '', 'put credentials in environment variables (auth.usernameEnv/passwordEnv or tokenEnv), not in the URL')
    .transform((value) => value.replace(/\/+$/, ''))

const interval = z.number().int().min(10, 'intervalSeconds must be at least 10').max(7 * 24 * 3600, 'intervalSeconds is at most a week (604800)').default(3600)

const OciRepository = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/, 'expected an OCI repository name such as acme/web (lower case, / between components)'),
    /** Absent: every tag except the cosign and referrers-schema tags (`sha256-…`). */
    tags: z.array(z.string().regex(/^[\w][\w.-]{0,127}$/, 'expected an OCI tag (letters, digits, _ . -, up to 128)')).min(1).optional(),
  })
  .strict()

const ChangeFeed = z
  .object({
    /** How often a full polling check runs anyway (events lost while this server or the registry was down). */
    fullCheckSeconds: z.number().int().min(60, 'fullCheckSeconds must be at least 60').max(7 * 24 * 3600, 'fullCheckSeconds is at most a week (604800)').default(3600),
    /** How long after an event arrives its sync starts: events of one push (manifest, then its tags) come in a burst. */
    delaySeconds: z.number().int().min(0).max(3600, 'delaySeconds is at most an hour (3600)').default(2),
  })
  .strict()

const OciSource = z
  .object({
    name: SourceName,
    kind: z.literal('oci'),
    url: baseUrl('https://ghcr.io'),
    repositories: z.array(OciRepository).min(1, 'list at least one repository to read'),
    auth: z
      .object({
        usernameEnv: envName.optional(),
        passwordEnv: envName.optional(),
      })
      .strict()
      .refine((auth) => (auth.usernameEnv === undefined) === (auth.passwordEnv === undefined), 'give both usernameEnv and passwordEnv, or neither (anonymous)')
      .optional(),
    intervalSeconds: interval,
    /** Requests in flight at once against this registry. */
    concurrency: z.number().int().min(1).max(32).default(4),
    /**
     * The registry's notifications (Distribution's `notifications: endpoints:`) sent to POST
     * /api/v1/sources/<name>/events: a scheduled sync then reads only what the events since the last sync name,
     * with a full check every `fullCheckSeconds` to catch events the registry dropped. Absent: every sync polls.
     */
    changeFeed: ChangeFeed.optional(),
  })
  .strict()

const NpmPackage = z
  .object({
    name: z.string().regex(/^(@[a-z0-9~-][a-z0-9._~-]*\/)?[a-z0-9~-][a-z0-9._~-]*$/, 'expected an npm package name such as sigstore or @scope/name'),
    /** A semver range; absent: every version. */
    versions: z
      .string()
      .refine((range) => validRange(range) !== null, 'expected a semver range such as ^2.0.0 or >=1.2 <3')
      .optional(),
  })
  .strict()

const NpmSource = z
  .object({
    name: SourceName,
    kind: z.literal('npm'),
    url: baseUrl('https://registry.npmjs.org').default('https://registry.npmjs.org'),
    packages: z.array(NpmPackage).min(1, 'list at least one package to read'),
    auth: z.object({ tokenEnv: envName }).strict().optional(),
    intervalSeconds: interval,
    concurrency: z.number().int().min(1).max(32).default(4),
  })
  .strict()

const GithubSource = z
  .object({
    name: SourceName,
    kind: z.literal('github'),
    /** The REST API base: https://api.github.com, or https://HOST/api/v3 on GitHub Enterprise Server. */
    url: baseUrl('https://api.github.com').default('https://api.github.com'),
    repositories: z.array(z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'expected owner/name')).min(1, 'list at least one repository (owner/name)'),
    auth: z.object({ tokenEnv: envName }).strict().optional(),
    /** Actions run history to read on the first sync, in days; later syncs read what is newer than the last. */
    backfillDays: z.number().int().min(0).max(400).default(30),
    attestations: z.boolean().default(true),
    runs: z.boolean().default(true),
    intervalSeconds: interval,
    concurrency: z.number().int().min(1).max(16).default(2),
  })
  .strict()

export const SourceConfig = z.discriminatedUnion('kind', [OciSource, NpmSource, GithubSource], {
  error: (issue) => (issue.code === 'invalid_union' ? 'kind must be oci, npm or github' : undefined),
})
export type SourceConfig = z.infer<typeof SourceConfig>
export type OciSourceConfig = z.infer<typeof OciSource>
export type NpmSourceConfig = z.infer<typeof NpmSource>
export type GithubSourceConfig = z.infer<typeof GithubSource>
export type ChangeFeedConfig = z.infer<typeof ChangeFeed>

export const SourcesConfig = z
  .array(SourceConfig)
  .default([])
  .superRefine((sources, context) => {
    const seen = new Set<string>()
    for (const [index, source] of sources.entries()) {
      if (seen.has(source.name)) context.addIssue({ code: 'custom', path: [index, 'name'], message: `"${source.name}" is used twice; source names are unique` })
      seen.add(source.name)
    }
  })

/** The environment variables a source reads its secrets from, with where each is named in the config. */
export function secretVariables(source: SourceConfig): { variable: string; field: string }[] {
  const auth = source.auth
  if (auth === undefined) return []
  if ('tokenEnv' in auth) return [{ variable: auth.tokenEnv, field: 'auth.tokenEnv' }]
  const out: { variable: string; field: string }[] = []
  if (auth.usernameEnv !== undefined) out.push({ variable: auth.usernameEnv, field: 'auth.usernameEnv' })
  if (auth.passwordEnv !== undefined) out.push({ variable: auth.passwordEnv, field: 'auth.passwordEnv' })
  return out
}

/** What a source covers, one line each, for the sources list. */
export function coverage(source: SourceConfig): string[] {
  switch (source.kind) {
    case 'oci':
      return source.repositories.map((repository) => `${repository.name} (${repository.tags ? `tags ${repository.tags.join(', ')}` : 'all tags'})`)
    case 'npm':
      return source.packages.map((pkg) => `${pkg.name}@${pkg.versions ?? '*'}`)
    case 'github': {
      const parts = [source.attestations ? 'artifact attestations' : null, source.runs ? `Actions runs (backfill ${source.backfillDays} days)` : null].filter((part) => part !== null)
      return source.repositories.map((repository) => `${repository}: ${parts.join(', ')}`)
    }
  }
}
