import { z } from 'zod'
import { instant, lenientSchema, list, optional, pick, readAs, readLeniently, type DocumentFormat, type Tolerance, type Tolerate } from './read'
import type { Statement } from './statement'

export const SLSA_V1 = 'https://slsa.dev/provenance/v1'
export const SLSA_V02 = 'https://slsa.dev/provenance/v0.2'

export type Provenance = {
  slsaVersion: 'v0.2' | 'v1'
  builderId: string | null
  buildType: string | null
  invocationId: string | null
  sourceRepo: string | null
  sourceCommit: string | null
  startedAt: number | null
  finishedAt: number | null
  externalParameters: unknown
  internalParameters: unknown
  resolvedDependencies: { uri: string | null; name: string | null; digest: Record<string, string> }[]
}

/*
 * SLSA provenance is read leniently, on purpose: a build whose provenance has, say, a numeric builder id is
 * still a build, and its signature still covers the bytes. So every field below is tolerated: a malformed one
 * is stored as not given, and comes back in `tolerated` for the verification to list, never silently.
 */

const PROVENANCE: DocumentFormat = { code: 'invalid-provenance', label: 'SLSA provenance' }

const commitOf = (digest: Record<string, string>): string | null => digest.gitCommit ?? digest.sha1 ?? null

/** Widens a schema's output so a tolerated field can fall back to null (absent is not a fallback: it is not given). */
const orNull = <S extends z.ZodType>(schema: S) => schema.transform((value): z.output<S> | null => value)

/** A bit of text; "" is as good as absent. */
const plainText = optional(z.string()).transform((value) => (value === '' ? null : value))

/** The fields provenance is made of, each tolerated, for one build of a lenient schema. */
function fields(tolerate: Tolerate) {
  // Digest values that are not strings are left out; the rest of the digest set is kept as written.
  const digest = tolerate(
    optional(z.record(z.string(), tolerate(orNull(z.string()), null))).transform((set) =>
      Object.fromEntries(Object.entries(set ?? {}).flatMap(([algorithm, hex]) => (hex === null ? [] : [[algorithm, hex]]))),
    ),
    {},
  )
  const text = tolerate(plainText, null)
  const dependency = z.object({ uri: text, name: text, digest })
  const dependencies = tolerate(list(tolerate(orNull(dependency), null)).transform((deps) => deps.filter((dep) => dep !== null)), [])
  /** An object of which only some fields are read; when it is malformed, none of them are given. */
  const part = <S extends z.ZodType>(schema: S) => tolerate(optional(schema), null)
  return { text, time: tolerate(instant, null), digest, dependencies, part }
}

const V1 = lenientSchema((tolerate) => {
  const { text, time, dependencies, part } = fields(tolerate)
  return part(
    z.object({
      buildDefinition: part(z.object({ buildType: text, externalParameters: z.unknown().optional(), internalParameters: z.unknown().optional(), resolvedDependencies: dependencies })),
      runDetails: part(
        z.object({
          builder: part(z.object({ id: text })),
          metadata: part(z.object({ invocationId: text, startedOn: time, finishedOn: time })),
        }),
      ),
    }),
  )
})

/*
 * externalParameters are whatever each build type says they are. These are the places some build types name
 * the source (GitHub's workflow build type: workflow.repository; others: source or source.uri); a value of
 * another shape is a build type that puts it elsewhere, not a malformed document, so it is not listed.
 */
const probe = <S extends z.ZodType>(schema: S) => optional(schema).catch(null)
const SourceParameters = probe(
  z.object({
    workflow: probe(z.object({ repository: probe(plainText) })),
    source: probe(pick((value) => (typeof value === 'string' ? plainText : z.object({ uri: probe(plainText) }).transform(({ uri }) => uri)))),
  }),
)

const V02 = lenientSchema((tolerate) => {
  const { text, time, dependencies, part } = fields(tolerate)
  return part(
    z.object({
      builder: part(z.object({ id: text })),
      buildType: text,
      invocation: part(
        z.object({
          // Kept as written for display (below); ConfigSource reads the source it names.
          configSource: z.unknown().optional(),
          parameters: z.unknown().optional(),
          environment: z.unknown().optional(),
        }),
      ),
      metadata: part(z.object({ buildInvocationId: text, buildStartedOn: time, buildFinishedOn: time })),
      materials: dependencies,
    }),
  )
})

const ConfigSource = lenientSchema((tolerate) => {
  const { text, digest, part } = fields(tolerate)
  return part(z.object({ uri: text, digest }))
})

/** `git+https://github.com/acme/web@refs/heads/main` → `https://github.com/acme/web`. */
export function normaliseRepo(uri: string): string {
  let repo = uri.trim().replace(/^git\+/, '')
  const at = repo.indexOf('@', repo.indexOf('://') + 3)
  if (at > 0 && !repo.slice(0, at).includes('@')) repo = repo.slice(0, at)
  return repo.replace(/\.git$/, '').replace(/\/+$/, '')
}

/** `https://github.com/acme/web` → `acme/web`: the path of the repository, the part people say out loud. */
export function projectName(sourceRepo: string | null, builderId: string | null): string {
  const from = sourceRepo ?? builderId
  if (!from) return 'unknown'
  try {
    const url = new URL(from)
    const path = url.pathname.replace(/^\/+|\/+$/g, '')
    return path === '' ? url.host : path
  } catch {
    return from
  }
}

/** What readProvenance found: the facts, and the malformed fields it stored as not given. */
export type ProvenanceReading = Provenance & { tolerated: Tolerance[] }

/**
 * Reads the facts the dashboard shows from SLSA provenance v1 or v0.2; null for other predicates. Paths in
 * `tolerated` start at the Statement (`predicate.runDetails.builder.id`), which sits at a different place in each
 * format (an envelope's payload, a bundle's, an npm response's).
 */
export function readProvenance(statement: Statement): ProvenanceReading | null {
  // Early GitHub generators wrote the v1 release candidate as `v1.0?draft`; its shape is v1's.
  if (statement.predicateType === SLSA_V1 || statement.predicateType?.startsWith('https://slsa.dev/provenance/v1.0')) {
    return readV1(statement.predicate)
  }
  if (statement.predicateType === SLSA_V02) return readV02(statement.predicate)
  return null
}

function sourceFromDependencies(deps: Provenance['resolvedDependencies']): { repo: string | null; commit: string | null } {
  const source = deps.find((dep) => dep.uri?.startsWith('git+') && commitOf(dep.digest)) ?? deps.find((dep) => commitOf(dep.digest))
  if (!source?.uri) return { repo: null, commit: null }
  return { repo: normaliseRepo(source.uri), commit: commitOf(source.digest) }
}

function readV1(value: unknown): ProvenanceReading {
  const { value: predicate, tolerated } = readLeniently(PROVENANCE, V1, value, 'predicate')
  const definition = predicate?.buildDefinition ?? null
  const run = predicate?.runDetails ?? null
  const external = definition?.externalParameters
  const resolved = definition?.resolvedDependencies ?? []
  const fromDeps = sourceFromDependencies(resolved)
  const parameters = readAs(PROVENANCE, SourceParameters, external, 'predicate.buildDefinition.externalParameters')
  // GitHub's workflow build type names the repository in externalParameters.workflow.repository.
  const workflowRepo = parameters?.workflow?.repository ?? null
  const sourceUri = parameters?.source ?? null
  const sourceRepo = workflowRepo ? normaliseRepo(workflowRepo) : (fromDeps.repo ?? (sourceUri ? normaliseRepo(sourceUri) : null))
  return {
    slsaVersion: 'v1',
    builderId: run?.builder?.id ?? null,
    buildType: definition?.buildType ?? null,
    invocationId: run?.metadata?.invocationId ?? null,
    sourceRepo,
    sourceCommit: fromDeps.commit,
    startedAt: run?.metadata?.startedOn ?? null,
    finishedAt: run?.metadata?.finishedOn ?? null,
    externalParameters: external ?? null,
    internalParameters: definition?.internalParameters ?? null,
    resolvedDependencies: resolved,
    tolerated,
  }
}

function readV02(value: unknown): ProvenanceReading {
  const { value: predicate, tolerated } = readLeniently(PROVENANCE, V02, value, 'predicate')
  const invocation = predicate?.invocation ?? null
  const config = readLeniently(PROVENANCE, ConfigSource, invocation?.configSource, 'predicate.invocation.configSource')
  const materials = predicate?.materials ?? []
  const configUri = config.value?.uri ?? null
  const configCommit = commitOf(config.value?.digest ?? {})
  const fromMaterials = sourceFromDependencies(materials)
  return {
    slsaVersion: 'v0.2',
    builderId: predicate?.builder?.id ?? null,
    buildType: predicate?.buildType ?? null,
    invocationId: predicate?.metadata?.buildInvocationId ?? null,
    sourceRepo: configUri ? normaliseRepo(configUri) : fromMaterials.repo,
    sourceCommit: configCommit ?? fromMaterials.commit,
    startedAt: predicate?.metadata?.buildStartedOn ?? null,
    finishedAt: predicate?.metadata?.buildFinishedOn ?? null,
    externalParameters: { configSource: invocation?.configSource ?? null, parameters: invocation?.parameters ?? null },
    internalParameters: invocation?.environment ?? null,
    resolvedDependencies: materials,
    tolerated: [...tolerated, ...config.tolerated],
  }
}
