import { z } from 'zod'
import { isRecord } from './errors'
import { instant, lenientSchema, list, optional, pick, readAs, readLeniently, type DocumentFormat, type LenientSchema, type Tolerance, type Tolerate } from './read'
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
  return read(statement, true)
}

/**
 * readProvenance with the schemas alone, no well-formed shortcut: what the shortcut is tested against (the two must
 * read every predicate the same).
 */
export function readProvenanceBySchema(statement: Statement): ProvenanceReading | null {
  return read(statement, false)
}

function read(statement: Statement, fast: boolean): ProvenanceReading | null {
  // Early GitHub generators wrote the v1 release candidate as `v1.0?draft`; its shape is v1's.
  if (statement.predicateType === SLSA_V1 || statement.predicateType?.startsWith('https://slsa.dev/provenance/v1.0')) {
    return readV1(statement.predicate, fast)
  }
  if (statement.predicateType === SLSA_V02) return readV02(statement.predicate, fast)
  return null
}

/*
 * The well-formed shortcut. Reading provenance with the lenient schemas cost about 100 µs a document, most of what
 * reading a signed DSSE document costs besides its signature check (each tolerated field is a catch and a transform
 * in zod, and the strict twin must stay beside it). Almost all provenance has every field in the form its
 * specification gives, and for that the reading is plain: the functions below read exactly what the schemas would,
 * and give up (undefined, or null for a whole predicate) at the first value of any other form, which the schemas then
 * read and whose problem they list. They never decide anything the schemas would not: a test reads mutated
 * predicates both ways and requires the same result.
 */

type Parsed<S> = S extends LenientSchema<infer T> ? T : never
type Dependency = Provenance['resolvedDependencies'][number]

/** null and absent read as not given (null); a value of another form is the schemas' to read. */
function wellFormedPart(value: unknown): Record<string, unknown> | null | undefined {
  if (value === undefined || value === null) return null
  return isRecord(value) ? value : undefined
}

function wellFormedText(value: unknown): string | null | undefined {
  if (value === undefined || value === null || value === '') return null
  return typeof value === 'string' ? value : undefined
}

function wellFormedTime(value: unknown): number | null | undefined {
  if (value === undefined || value === null || value === '') return null
  if (typeof value !== 'string') return undefined
  const ms = Date.parse(value)
  return Number.isFinite(ms) ? ms : undefined
}

function wellFormedDigest(value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null) return {}
  if (!isRecord(value)) return undefined
  const digest: Record<string, string> = {}
  for (const algorithm in value) {
    const hex = value[algorithm]
    // A "__proto__" key is left to the schemas, which decide what becomes of it.
    if (typeof hex !== 'string' || algorithm === '__proto__') return undefined
    digest[algorithm] = hex
  }
  return digest
}

function wellFormedDependencies(value: unknown): Dependency[] | undefined {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) return undefined
  const dependencies: Dependency[] = []
  for (const item of value as unknown[]) {
    if (!isRecord(item)) return undefined
    const uri = wellFormedText(item.uri)
    const name = wellFormedText(item.name)
    const digest = wellFormedDigest(item.digest)
    if (uri === undefined || name === undefined || digest === undefined) return undefined
    dependencies.push({ uri, name, digest })
  }
  return dependencies
}

function wellFormedV1(value: unknown): { value: Parsed<typeof V1>; tolerated: Tolerance[] } | null {
  const predicate = wellFormedPart(value)
  if (predicate === undefined) return null
  if (predicate === null) return { value: null, tolerated: [] }
  const definition = wellFormedPart(predicate.buildDefinition)
  const run = wellFormedPart(predicate.runDetails)
  if (definition === undefined || run === undefined) return null
  let buildDefinition: NonNullable<Parsed<typeof V1>>['buildDefinition'] = null
  if (definition !== null) {
    const buildType = wellFormedText(definition.buildType)
    const resolvedDependencies = wellFormedDependencies(definition.resolvedDependencies)
    if (buildType === undefined || resolvedDependencies === undefined) return null
    buildDefinition = { buildType, externalParameters: definition.externalParameters, internalParameters: definition.internalParameters, resolvedDependencies }
  }
  let runDetails: NonNullable<Parsed<typeof V1>>['runDetails'] = null
  if (run !== null) {
    const builder = wellFormedPart(run.builder)
    const metadata = wellFormedPart(run.metadata)
    if (builder === undefined || metadata === undefined) return null
    const id = builder === null ? null : wellFormedText(builder.id)
    const invocationId = metadata === null ? null : wellFormedText(metadata.invocationId)
    const startedOn = metadata === null ? null : wellFormedTime(metadata.startedOn)
    const finishedOn = metadata === null ? null : wellFormedTime(metadata.finishedOn)
    if (id === undefined || invocationId === undefined || startedOn === undefined || finishedOn === undefined) return null
    runDetails = { builder: builder === null ? null : { id }, metadata: metadata === null ? null : { invocationId, startedOn, finishedOn } }
  }
  return { value: { buildDefinition, runDetails }, tolerated: [] }
}

function wellFormedV02(value: unknown): { value: Parsed<typeof V02>; tolerated: Tolerance[] } | null {
  const predicate = wellFormedPart(value)
  if (predicate === undefined) return null
  if (predicate === null) return { value: null, tolerated: [] }
  const builder = wellFormedPart(predicate.builder)
  const invocation = wellFormedPart(predicate.invocation)
  const metadata = wellFormedPart(predicate.metadata)
  const buildType = wellFormedText(predicate.buildType)
  const materials = wellFormedDependencies(predicate.materials)
  if (builder === undefined || invocation === undefined || metadata === undefined || buildType === undefined || materials === undefined) return null
  const id = builder === null ? null : wellFormedText(builder.id)
  const buildInvocationId = metadata === null ? null : wellFormedText(metadata.buildInvocationId)
  const buildStartedOn = metadata === null ? null : wellFormedTime(metadata.buildStartedOn)
  const buildFinishedOn = metadata === null ? null : wellFormedTime(metadata.buildFinishedOn)
  if (id === undefined || buildInvocationId === undefined || buildStartedOn === undefined || buildFinishedOn === undefined) return null
  return {
    value: {
      builder: builder === null ? null : { id },
      buildType,
      invocation: invocation === null ? null : { configSource: invocation.configSource, parameters: invocation.parameters, environment: invocation.environment },
      metadata: metadata === null ? null : { buildInvocationId, buildStartedOn, buildFinishedOn },
      materials,
    },
    tolerated: [],
  }
}

function wellFormedConfigSource(value: unknown): { value: Parsed<typeof ConfigSource>; tolerated: Tolerance[] } | null {
  const source = wellFormedPart(value)
  if (source === undefined) return null
  if (source === null) return { value: null, tolerated: [] }
  const uri = wellFormedText(source.uri)
  const digest = wellFormedDigest(source.digest)
  if (uri === undefined || digest === undefined) return null
  return { value: { uri, digest }, tolerated: [] }
}

/** SourceParameters for the forms the build types above write; undefined for any other, which the schema reads. */
function wellFormedSourceParameters(value: unknown): z.output<typeof SourceParameters> | undefined {
  const parameters = wellFormedPart(value)
  if (parameters === undefined) return undefined
  if (parameters === null) return null
  const workflow = wellFormedPart(parameters.workflow)
  const repository = workflow === null || workflow === undefined ? null : wellFormedText(workflow.repository)
  const source = parameters.source
  const uri = typeof source === 'string' || source === undefined || source === null ? wellFormedText(source) : isRecord(source) ? wellFormedText(source.uri) : undefined
  if (workflow === undefined || repository === undefined || uri === undefined) return undefined
  return { workflow: workflow === null ? null : { repository }, source: uri }
}

function sourceFromDependencies(deps: Provenance['resolvedDependencies']): { repo: string | null; commit: string | null } {
  const source = deps.find((dep) => dep.uri?.startsWith('git+') && commitOf(dep.digest)) ?? deps.find((dep) => commitOf(dep.digest))
  if (!source?.uri) return { repo: null, commit: null }
  return { repo: normaliseRepo(source.uri), commit: commitOf(source.digest) }
}

function readV1(value: unknown, fast: boolean): ProvenanceReading {
  const { value: predicate, tolerated } = (fast ? wellFormedV1(value) : null) ?? readLeniently(PROVENANCE, V1, value, 'predicate')
  const definition = predicate?.buildDefinition ?? null
  const run = predicate?.runDetails ?? null
  const external = definition?.externalParameters
  const resolved = definition?.resolvedDependencies ?? []
  const fromDeps = sourceFromDependencies(resolved)
  const parameters = (fast ? wellFormedSourceParameters(external) : undefined) ?? readAs(PROVENANCE, SourceParameters, external, 'predicate.buildDefinition.externalParameters')
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

function readV02(value: unknown, fast: boolean): ProvenanceReading {
  const { value: predicate, tolerated } = (fast ? wellFormedV02(value) : null) ?? readLeniently(PROVENANCE, V02, value, 'predicate')
  const invocation = predicate?.invocation ?? null
  const config = (fast ? wellFormedConfigSource(invocation?.configSource) : null) ?? readLeniently(PROVENANCE, ConfigSource, invocation?.configSource, 'predicate.invocation.configSource')
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
