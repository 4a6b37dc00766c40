import type { BuildDetail } from '../../src/contract/builds'
import type { Check, VerificationStatus } from '../../src/contract/common'
import type { Rebuild } from '../../src/contract/rebuilds'
import { signerIdentity } from '../signer'

/*
 * What the anomaly rules look at in one build, read once from its record (the provenance as stored, its
 * verification, the CI telemetry matched to it and the rebuilders' verdicts on its artifacts). The server and
 * the mocks both make these from a BuildDetail, so both judge the same facts alike.
 */

export type ToolFact = { name: string; version: string; source: 'provenance' | 'pipeline' }
export type HostFact = { host: string; via: string }
export type DependencyFact = {
  /** The dependency without its version or ref, so the same dependency at another version is recognised. */
  key: string
  uri: string
  /** The digest set written as `alg:hex` pairs, or '' when none was recorded. */
  digest: string
}
export type RebuildFact = {
  documentId: string
  rebuilder: string
  artifact: string
  published: string
  rebuilt: string
  verdict: 'match' | 'mismatch'
  /** Only a verdict whose document verified with a trusted key is a finding; others are claims. */
  trusted: boolean
}

export type BuildFacts = {
  buildId: string
  documentId: string
  project: string
  /** The host of the build's own source repository: fetching its own source is never out of band. */
  sourceHost: string | null
  /** Milliseconds since the epoch: the build's finish, else start, else ingest time. */
  time: number
  durationMs: number | null
  builderId: string | null
  buildType: string | null
  status: VerificationStatus
  failedCheck: string | null
  failures: Check[]
  signer: { identity: string | null; trusted: boolean }
  tools: ToolFact[]
  hosts: HostFact[]
  dependencies: DependencyFact[]
  /** The lockfile among the resolved dependencies (package-lock.json, go.sum, Cargo.lock…), when one is named. */
  lockfile: DependencyFact | null
  artifacts: { name: string; digest: string }[]
  rebuilds: RebuildFact[]
}

const LOCKFILE = /(^|[/@])(package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|go\.sum|Cargo\.lock|poetry\.lock|Pipfile\.lock|uv\.lock|requirements\.txt|Gemfile\.lock|composer\.lock|gradle\.lockfile|MODULE\.bazel\.lock)$/

const decodePart = (value: string) => {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

/** `pkg:type/namespace/name@version?qualifiers#subpath` → name (generic: last segment) and version. */
export function purlParts(uri: string): { name: string; version: string | null } | null {
  const match = /^pkg:([a-zA-Z.+-]+)\/([^?#]+?)(?:@([^?#]+))?(?:[?#].*)?$/.exec(uri)
  if (!match?.[1] || !match[2]) return null
  const segments = match[2].split('/').filter(Boolean)
  const name = match[1] === 'generic' ? decodePart(segments.at(-1) ?? '') : segments.map(decodePart).join('/')
  return name ? { name, version: match[3] === undefined ? null : decodePart(match[3]) } : null
}

/** The host of a URL-like dependency URI (`git+https://github.com/a/b@ref`, `https://…`), or null (purls, paths). */
export function hostOf(uri: string): string | null {
  const match = /^(?:[a-z][a-z0-9+.-]*\+)?(?:https?|git|ssh|oci|docker):\/\/(?:[^@/]*@)?([^/:?#]+)/i.exec(uri)
  return match?.[1]?.toLowerCase() ?? null
}

/** A dependency's identity apart from its version (`uri` is its URI, else its name): a purl's type and name, a URL without its `@ref`. */
function dependencyKey(uri: string, purl: { name: string } | null): string {
  if (uri.startsWith('pkg:')) {
    const type = /^pkg:([^/]+)\//.exec(uri)?.[1] ?? ''
    return purl ? `pkg:${type}/${purl.name}` : uri
  }
  // `git+https://github.com/acme/web@refs/heads/main` and `…@v1.2` are the same source at another ref: cut at the
  // first `@` in the path (one before it, in the authority, is a user name).
  const scheme = uri.indexOf('://')
  const path = scheme < 0 ? 0 : uri.indexOf('/', scheme + 3)
  const at = path < 0 ? -1 : uri.indexOf('@', path)
  return at < 0 ? uri : uri.slice(0, at)
}

/** What a dependency URI says, worked out once per URI. */
type UriParts = { purl: { name: string; version: string | null } | null; key: string; host: string | null; lockfile: boolean }

/*
 * Builds of a pipeline resolve the same few URIs over and over (its toolchain's purls, its source), and parsing them
 * (regular expressions, URI decoding) was the larger part of deriving a build's facts at ingest. The parts are a
 * pure function of the URI, so they are kept; the map is emptied when it grows past its bound.
 */
const URI_PARTS_LIMIT = 20_000
const uriParts = new Map<string, UriParts>()
function partsOf(uri: string): UriParts {
  let parts = uriParts.get(uri)
  if (parts === undefined) {
    const purl = uri.startsWith('pkg:') ? purlParts(uri) : null
    const key = dependencyKey(uri, purl)
    parts = { purl, key, host: hostOf(uri), lockfile: LOCKFILE.test(key) }
    if (uriParts.size >= URI_PARTS_LIMIT) uriParts.clear()
    uriParts.set(uri, parts)
  }
  return parts
}

function digestText(digest: Record<string, string>): string {
  // Mostly one algorithm (or none): nothing to sort, and no array of entries made for every dependency of every build.
  let only: string | undefined
  let count = 0
  for (const algorithm of Object.keys(digest)) {
    only = algorithm
    if (++count > 1) break
  }
  if (only === undefined) return ''
  if (count === 1) return `${only}:${digest[only]}`
  return Object.entries(digest)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([algorithm, value]) => `${algorithm}:${value}`)
    .join(' ')
}

/** `sha256:<hex>` of a digest set, or its first algorithm, or '' when empty. */
export function primaryDigest(digest: Record<string, string>): string {
  if (digest.sha256) return `sha256:${digest.sha256}`
  const [first] = Object.entries(digest).sort(([a], [b]) => a.localeCompare(b))
  return first ? `${first[0]}:${first[1]}` : ''
}

/** The facts of one build record, with the rebuild verdicts on its artifacts when known. */
/** The parts of a rebuild verdict the rules read. */
export type RebuildVerdictFacts = Pick<Rebuild, 'documentId' | 'rebuilderId' | 'artifact' | 'rebuiltDigest' | 'verdict' | 'status'>

/** The parts of a build record the rules read; a BuildDetail is one, and the server loads just these for many builds. */
export type BuildFactsInput = Pick<BuildDetail, 'id' | 'project' | 'sourceRepo' | 'time' | 'startedAt' | 'finishedAt' | 'builderId' | 'buildType' | 'verification' | 'resolvedDependencies' | 'subjects'> & {
  document: { id: string }
  /** The CI telemetry matched to the build; absent or null when none was (a build handed over by ingest has none to carry). */
  pipeline?: { tasks: readonly { name: string; tools: readonly { name: string; version: string | null }[]; hosts: readonly string[]; steps: readonly { name: string; tools: readonly { name: string; version: string | null }[]; hosts: readonly string[] }[] }[] } | null
}

const digitAt = (text: string, at: number) => text.charCodeAt(at) - 48
const two = (text: string, at: number) => digitAt(text, at) * 10 + digitAt(text, at + 1)
/** Whether text[from, to) is all ASCII digits. */
function digits(text: string, from: number, to: number): boolean {
  for (let at = from; at < to; at++) {
    const code = text.charCodeAt(at)
    if (code < 48 || code > 57) return false
  }
  return true
}

/**
 * Milliseconds since the epoch of an instant, as Date.parse reads it. The instants the rules read are the contract's
 * `YYYY-MM-DDTHH:MM:SS.sssZ` (three of them a build), and Date.parse was a tenth of making a build's facts; that one
 * form is read field by field. Anything else, and days past the 28th (which Date.parse may refuse), go to Date.parse.
 */
export function instantMs(text: string): number {
  if (text.length !== 24 || text[4] !== '-' || text[7] !== '-' || text[10] !== 'T' || text[13] !== ':' || text[16] !== ':' || text[19] !== '.' || text[23] !== 'Z') return Date.parse(text)
  if (!digits(text, 0, 4) || !digits(text, 5, 7) || !digits(text, 8, 10) || !digits(text, 11, 13) || !digits(text, 14, 16) || !digits(text, 17, 19) || !digits(text, 20, 23)) return Date.parse(text)
  const year = two(text, 0) * 100 + two(text, 2)
  const month = two(text, 5)
  const day = two(text, 8)
  const hour = two(text, 11)
  const minute = two(text, 14)
  const second = two(text, 17)
  if (year < 100 || month < 1 || month > 12 || day < 1 || day > 28 || hour > 23 || minute > 59 || second > 59) return Date.parse(text)
  return Date.UTC(year, month - 1, day, hour, minute, second, digitAt(text, 20) * 100 + two(text, 21))
}

/** A fixed order for names and versions; localeCompare asks the collator for every pair, and ran for every build ingested. */
const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/** The first tool seen with this name and version is kept (module-level, not a closure per build: facts are made for every build ingested). */
function addTool(tools: Map<string, ToolFact>, name: string, version: string | null, source: ToolFact['source']): void {
  if (!version) return
  const key = `${name}\u0000${version}`
  if (!tools.has(key)) tools.set(key, { name, version, source })
}

export function buildFacts(build: BuildFactsInput, rebuilds: readonly RebuildVerdictFacts[] = []): BuildFacts {
  const tools = new Map<string, ToolFact>()
  const tasks = build.pipeline?.tasks ?? []
  for (const task of tasks) {
    for (const tool of task.tools) addTool(tools, tool.name, tool.version, 'pipeline')
    for (const step of task.steps) for (const tool of step.tools) addTool(tools, tool.name, tool.version, 'pipeline')
  }
  const dependencies: DependencyFact[] = []
  const hosts = new Map<string, HostFact>()
  let lockfile: DependencyFact | null = null
  for (const dependency of build.resolvedDependencies) {
    const uri = dependency.uri ?? dependency.name ?? ''
    const parts = partsOf(uri)
    if (parts.purl) addTool(tools, parts.purl.name, parts.purl.version, 'provenance')
    // A dependency with neither URI nor name has no identity to compare.
    if (uri !== '') {
      const fact = { key: parts.key, uri, digest: digestText(dependency.digest) }
      dependencies.push(fact)
      if (lockfile === null && parts.lockfile) lockfile = fact
    }
    if (parts.host !== null && !hosts.has(parts.host)) hosts.set(parts.host, { host: parts.host, via: `resolved dependency ${uri}` })
  }
  for (const task of tasks) {
    for (const step of task.steps) for (const host of step.hosts) if (!hosts.has(host)) hosts.set(host, { host, via: `CI step ${task.name} › ${step.name}` })
    for (const host of task.hosts) if (!hosts.has(host)) hosts.set(host, { host, via: `CI job ${task.name}` })
  }
  const started = build.startedAt === null ? null : instantMs(build.startedAt)
  const finished = build.finishedAt === null ? null : instantMs(build.finishedAt)
  const artifacts = build.subjects.map((subject) => ({ name: subject.name, digest: primaryDigest(subject.digest) }))
  return {
    buildId: build.id,
    documentId: build.document.id,
    project: build.project,
    // The same few repositories build after build: their host is read once (partsOf's host is hostOf of the URI).
    sourceHost: build.sourceRepo === null ? null : partsOf(build.sourceRepo).host,
    time: instantMs(build.time),
    durationMs: started !== null && finished !== null && finished >= started ? finished - started : null,
    builderId: build.builderId,
    buildType: build.buildType,
    status: build.verification.status,
    failedCheck: build.verification.failedCheck,
    failures: build.verification.checks.filter((check) => !check.ok && check.notJudged === undefined),
    signer: { identity: signerIdentity(build.verification), trusted: build.verification.signers.some((signer) => signer.trustedKeyId !== null) },
    tools: [...tools.values()].sort((a, b) => byCodeUnits(a.name, b.name) || byCodeUnits(a.version, b.version)),
    hosts: [...hosts.values()].sort((a, b) => byCodeUnits(a.host, b.host)),
    dependencies,
    lockfile,
    artifacts,
    rebuilds: rebuildFacts(artifacts, rebuilds),
  }
}

/** The verdicts on these artifacts (none asked for when there are none: facts are made for every build ingested). */
function rebuildFacts(artifacts: readonly { digest: string }[], rebuilds: readonly RebuildVerdictFacts[]): RebuildFact[] {
  if (rebuilds.length === 0) return []
  const digests = new Set(artifacts.map((artifact) => artifact.digest))
  return rebuilds
    .filter((rebuild) => digests.has(primaryDigest(rebuild.artifact.digest)))
    .map((rebuild) => ({
      documentId: rebuild.documentId,
      rebuilder: rebuild.rebuilderId ?? 'unknown rebuilder',
      artifact: rebuild.artifact.name ?? primaryDigest(rebuild.artifact.digest),
      published: primaryDigest(rebuild.artifact.digest),
      rebuilt: primaryDigest(rebuild.rebuiltDigest),
      verdict: rebuild.verdict,
      trusted: rebuild.status === 'verified',
    }))
}
