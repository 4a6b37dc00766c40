import { isRecord } from './errors'
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

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null)
const field = (value: unknown, ...keys: string[]): unknown => {
  let current = value
  for (const key of keys) {
    if (!isRecord(current)) return undefined
    current = current[key]
  }
  return current
}
const time = (value: unknown): number | null => {
  const raw = text(value)
  if (raw === null) return null
  const ms = Date.parse(raw)
  return Number.isFinite(ms) ? ms : null
}
const digestOf = (value: unknown): Record<string, string> => {
  const out: Record<string, string> = {}
  if (isRecord(value)) for (const [key, hex] of Object.entries(value)) if (typeof hex === 'string') out[key] = hex
  return out
}
const commitOf = (digest: Record<string, string>): string | null => digest.gitCommit ?? digest.sha1 ?? null

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

/** Reads the facts the dashboard shows from SLSA provenance v1 or v0.2; null for other predicates. */
export function readProvenance(statement: Statement): Provenance | null {
  // Early GitHub generators wrote the v1 release candidate as `v1.0?draft`; its shape is v1's.
  if (statement.predicateType === SLSA_V1 || statement.predicateType?.startsWith('https://slsa.dev/provenance/v1.0')) {
    return readV1(statement.predicate)
  }
  if (statement.predicateType === SLSA_V02) return readV02(statement.predicate)
  return null
}

function dependencies(value: unknown): Provenance['resolvedDependencies'] {
  if (!Array.isArray(value)) return []
  return value.filter(isRecord).map((dependency) => ({
    uri: text(dependency.uri),
    name: text(dependency.name),
    digest: digestOf(dependency.digest),
  }))
}

function sourceFromDependencies(deps: Provenance['resolvedDependencies']): { repo: string | null; commit: string | null } {
  const source = deps.find((dep) => dep.uri?.startsWith('git+') && commitOf(dep.digest)) ?? deps.find((dep) => commitOf(dep.digest))
  if (!source?.uri) return { repo: null, commit: null }
  return { repo: normaliseRepo(source.uri), commit: commitOf(source.digest) }
}

function readV1(predicate: unknown): Provenance {
  const definition = field(predicate, 'buildDefinition')
  const external = field(definition, 'externalParameters')
  const resolved = dependencies(field(definition, 'resolvedDependencies'))
  const fromDeps = sourceFromDependencies(resolved)
  // GitHub's workflow build type names the repository in externalParameters.workflow.repository.
  const workflowRepo = text(field(external, 'workflow', 'repository'))
  const sourceUri = text(field(external, 'source', 'uri')) ?? text(field(external, 'source'))
  const sourceRepo = workflowRepo ? normaliseRepo(workflowRepo) : (fromDeps.repo ?? (sourceUri ? normaliseRepo(sourceUri) : null))
  return {
    slsaVersion: 'v1',
    builderId: text(field(predicate, 'runDetails', 'builder', 'id')),
    buildType: text(field(definition, 'buildType')),
    invocationId: text(field(predicate, 'runDetails', 'metadata', 'invocationId')),
    sourceRepo,
    sourceCommit: fromDeps.commit,
    startedAt: time(field(predicate, 'runDetails', 'metadata', 'startedOn')),
    finishedAt: time(field(predicate, 'runDetails', 'metadata', 'finishedOn')),
    externalParameters: external ?? null,
    internalParameters: field(definition, 'internalParameters') ?? null,
    resolvedDependencies: resolved,
  }
}

function readV02(predicate: unknown): Provenance {
  const invocation = field(predicate, 'invocation')
  const materials = dependencies(field(predicate, 'materials'))
  const configUri = text(field(invocation, 'configSource', 'uri'))
  const configCommit = commitOf(digestOf(field(invocation, 'configSource', 'digest')))
  const fromMaterials = sourceFromDependencies(materials)
  return {
    slsaVersion: 'v0.2',
    builderId: text(field(predicate, 'builder', 'id')),
    buildType: text(field(predicate, 'buildType')),
    invocationId: text(field(predicate, 'metadata', 'buildInvocationId')),
    sourceRepo: configUri ? normaliseRepo(configUri) : fromMaterials.repo,
    sourceCommit: configCommit ?? fromMaterials.commit,
    startedAt: time(field(predicate, 'metadata', 'buildStartedOn')),
    finishedAt: time(field(predicate, 'metadata', 'buildFinishedOn')),
    externalParameters: { configSource: field(invocation, 'configSource') ?? null, parameters: field(invocation, 'parameters') ?? null },
    internalParameters: field(invocation, 'environment') ?? null,
    resolvedDependencies: materials,
  }
}
