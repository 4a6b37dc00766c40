import type { Kysely } from 'kysely'
import type { ArtifactAttestation } from '../../src/contract/artifacts'
import type { BuildSummary } from '../../src/contract/builds'
import { BuildId, DigestSet, DocumentId, Verification, VerificationStatus } from '../../src/contract/common'
import { REBUILD_PREDICATE_TYPE, type Rebuild } from '../../src/contract/rebuilds'
import { artifactDeployments } from '../deployments/store'
import { rebuildOut } from '../rebuilds/rows'
import { instant, parseJson } from '../store/db'
import type { Database } from '../store/schema'

/*
 * What a report needs of a page of artifacts, read with one `where … in (…)` a kind of fact for the whole page
 * instead of the artifact page's dozen queries an artifact (server/artifacts/store.ts). It gives the same facts as
 * that page for a full sha256 digest, with the same caps (20 builds, 100 rebuild verdicts, 50 other documents):
 * each read is ordered by digest and then as the artifact page orders it, so each artifact's rows come in the
 * order its own query would give on the same engine, and the caps cut at the same rows. evidence.test.ts holds
 * the two to the same report on the seeded demo. Deployments and alerts are rare, so the page only finds which
 * artifacts (builds) have any, and those are read by the same functions the artifact page uses.
 */

/** The facts of one artifact a report is assembled from (assemble.ts); ArtifactDetail has these and more. */
export type ArtifactFacts = {
  digests: Record<string, string>
  names: readonly string[]
  builds: readonly Pick<BuildSummary, 'id' | 'project' | 'sourceRepo' | 'sourceCommit' | 'builderId' | 'buildType' | 'status' | 'time'>[]
  attestations: readonly Pick<ArtifactAttestation, 'documentId' | 'format' | 'predicateType' | 'buildId' | 'ingestedAt' | 'verification'>[]
  sbom: { documentId: DocumentId; standard: string; componentCount: number } | null
  /** Newest first, as the artifact page lists them (agreement takes each rebuilder's first). */
  rebuilds: readonly Rebuild[]
  deployments: readonly { id: string; environment: string; service: string; at: string; flagged: boolean }[]
}

/** The page's facts by digest (null: nothing stored names it), and the builds of the page that have alerts. */
export type EvidencePage = { facts: Map<string, ArtifactFacts | null>; buildsWithAlerts: Set<string> }

const MAX_SUBJECT_ROWS = 200
const MAX_BUILDS = 20
const MAX_REBUILDS = 100
const MAX_OTHER_DOCUMENTS = 50
/** Ids in one `in (…)` list, well under either engine's limit on bound parameters. */
const IN_LIST = 500

type AlertOccurrences = { alert_occurrences: { alert_id: string; build_id: string } }

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const row of rows) {
    const name = key(row)
    const group = groups.get(name)
    if (group === undefined) groups.set(name, [row])
    else group.push(row)
  }
  return groups
}

/** Runs `read` on slices of `ids` no longer than IN_LIST and joins what they give, in slice order. */
async function inSlices<T>(ids: readonly string[], read: (slice: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = []
  for (let at = 0; at < ids.length; at += IN_LIST) out.push(...(await read(ids.slice(at, at + IN_LIST))))
  return out
}

/** The facts of each sha256 digest in `digests` (`sha256:<hex>`), read for the whole page at once. */
export async function readEvidencePage(base: Kysely<Database>, digests: readonly string[]): Promise<EvidencePage> {
  const db = base.withTables<AlertOccurrences>()
  const hexes = [...new Set(digests.map((digest) => digest.slice('sha256:'.length)))]
  const facts = new Map<string, ArtifactFacts | null>()
  const buildsWithAlerts = new Set<string>()
  if (hexes.length === 0) return { facts, buildsWithAlerts }

  const subjectRows = groupBy(
    await inSlices(hexes, (slice) =>
      db
        .selectFrom('subjects')
        .select(['digest_value', 'build_id', 'position', 'name'])
        .where('digest_algorithm', '=', 'sha256')
        .where('digest_value', 'in', slice)
        .orderBy('digest_value')
        .orderBy('time', 'desc')
        .orderBy('build_id', 'desc')
        .execute(),
    ),
    (row) => row.digest_value ?? '',
  )
  const subjectsOf = (hex: string) => (subjectRows.get(hex) ?? []).slice(0, MAX_SUBJECT_ROWS)
  const buildIdsOf = (hex: string) => [...new Set(subjectsOf(hex).map((row) => row.build_id))].slice(0, MAX_BUILDS)
  const allBuildIds = [...new Set(hexes.flatMap(buildIdsOf))]

  const buildRows = new Map(
    (
      await inSlices(allBuildIds, (slice) =>
        db
          .selectFrom('builds')
          .select(['id', 'project', 'source_repo', 'source_commit', 'builder_id', 'build_type', 'status', 'time', 'predicate_type'])
          .where('id', 'in', slice)
          .execute(),
      )
    ).map((row) => [row.id, row]),
  )
  // Every digest of each subject that names an artifact, to give the artifact's whole digest set.
  const subjectDigests = groupBy(
    await inSlices(allBuildIds, (slice) =>
      db.selectFrom('subjects').select(['build_id', 'position', 'digest_algorithm', 'digest_value']).where('build_id', 'in', slice).orderBy('build_id').orderBy('position').execute(),
    ),
    (row) => `${row.build_id}:${row.position}`,
  )

  const rebuildRows = groupBy(
    await inSlices(hexes, (slice) =>
      db
        .selectFrom('rebuilds')
        .selectAll()
        .where('artifact_algorithm', '=', 'sha256')
        .where('artifact_digest', 'in', slice)
        .orderBy('artifact_digest')
        .orderBy('time', 'desc')
        .orderBy('id', 'desc')
        .execute(),
    ),
    (row) => row.artifact_digest ?? '',
  )

  // The artifact page's SBOM: the newest stored SBOM naming the digest, its document stored.
  const sbomRows = groupBy(
    await inSlices(hexes, (slice) =>
      db
        .selectFrom('sbom_digests')
        .innerJoin('sboms', 'sboms.document_id', 'sbom_digests.document_id')
        .innerJoin('documents', 'documents.id', 'sboms.document_id')
        .select(['sbom_digests.digest_value', 'sboms.document_id', 'sboms.standard', 'sboms.component_count', 'sboms.subject_name', 'sboms.subject_digest'])
        .where('sbom_digests.digest_algorithm', '=', 'sha256')
        .where('sbom_digests.digest_value', 'in', slice)
        .orderBy('sbom_digests.digest_value')
        .orderBy('sboms.ingested_at', 'desc')
        .orderBy('sboms.document_id', 'desc')
        .execute(),
    ),
    (row) => row.digest_value,
  )
  const sbomDocumentRows = groupBy(
    await inSlices(hexes, (slice) =>
      db.selectFrom('sbom_digests').select(['digest_value', 'document_id']).where('digest_algorithm', '=', 'sha256').where('digest_value', 'in', slice).execute(),
    ),
    (row) => row.digest_value,
  )

  const aboutRows = groupBy(
    await inSlices(hexes, (slice) =>
      db
        .selectFrom('attestation_subjects')
        .innerJoin('documents', 'documents.id', 'attestation_subjects.document_id')
        .select(['attestation_subjects.digest_value', 'attestation_subjects.document_id'])
        .where('attestation_subjects.digest_algorithm', '=', 'sha256')
        .where('attestation_subjects.digest_value', 'in', slice)
        .orderBy('attestation_subjects.digest_value')
        .orderBy('documents.ingested_at', 'desc')
        .orderBy('attestation_subjects.document_id', 'desc')
        .execute(),
    ),
    (row) => row.digest_value,
  )

  const deployed = new Set(
    (await inSlices(hexes, (slice) => db.selectFrom('deployment_artifacts').select('digest_value').distinct().where('digest_value', 'in', slice).execute())).map((row) => row.digest_value),
  )
  for (const row of await inSlices(allBuildIds, (slice) => db.selectFrom('alert_occurrences').select('build_id').distinct().where('build_id', 'in', slice).execute())) {
    buildsWithAlerts.add(row.build_id)
  }

  // What each document is to each artifact, in the artifact page's order of precedence (first one wins).
  type Role = { predicateType: string | null; buildId: string | null }
  const roles = new Map<string, Map<string, Role>>()
  const wantedDocuments = new Set<string>()
  for (const hex of hexes) {
    const role = new Map<string, Role>()
    const add = (id: string, value: Role) => {
      if (!role.has(id)) role.set(id, value)
    }
    for (const id of buildIdsOf(hex)) {
      const build = buildRows.get(id)
      if (build !== undefined) add(build.id, { predicateType: build.predicate_type, buildId: build.id })
    }
    for (const row of (sbomDocumentRows.get(hex) ?? []).slice(0, 20)) add(row.document_id, { predicateType: null, buildId: null })
    for (const row of (rebuildRows.get(hex) ?? []).slice(0, MAX_REBUILDS)) add(row.document_id, { predicateType: row.source === 'rebuild-statement' ? REBUILD_PREDICATE_TYPE : null, buildId: null })
    for (const row of (aboutRows.get(hex) ?? []).slice(0, MAX_OTHER_DOCUMENTS)) add(row.document_id, { predicateType: null, buildId: null })
    roles.set(hex, role)
    for (const id of role.keys()) wantedDocuments.add(id)
  }
  const documents = new Map(
    (await inSlices([...wantedDocuments], (slice) => db.selectFrom('documents').select(['id', 'format', 'ingested_at', 'verification']).where('id', 'in', slice).execute())).map((row) => [
      row.id,
      { format: row.format, ingestedAt: instant(row.ingested_at), verification: Verification.parse(parseJson(row.verification)) },
    ]),
  )

  for (const hex of hexes) {
    const subjects = subjectsOf(hex)
    const builds = buildIdsOf(hex).flatMap((id) => {
      const row = buildRows.get(id)
      return row === undefined
        ? []
        : [{ id: BuildId.parse(row.id), project: row.project, sourceRepo: row.source_repo, sourceCommit: row.source_commit, builderId: row.builder_id, buildType: row.build_type, status: VerificationStatus.parse(row.status), time: instant(row.time) }]
    })
    const rebuilds = (rebuildRows.get(hex) ?? []).slice(0, MAX_REBUILDS).map(rebuildOut)
    const sbomRow = sbomRows.get(hex)?.[0]
    const about = (aboutRows.get(hex) ?? []).slice(0, MAX_OTHER_DOCUMENTS)
    const hasSbomDocuments = (sbomDocumentRows.get(hex) ?? []).length > 0
    const sbom = hasSbomDocuments && sbomRow !== undefined ? sbomRow : null
    if (builds.length === 0 && rebuilds.length === 0 && sbom === null && about.length === 0) {
      facts.set(`sha256:${hex}`, null)
      continue
    }
    const sbomSubject = sbom === null ? null : DigestSet.parse(parseJson(sbom.subject_digest))
    const describesIt = sbomSubject !== null && sbomSubject.sha256 === hex

    const digestSet: Record<string, string> = { sha256: hex }
    const buildIds = new Set<string>(builds.map((build) => build.id))
    for (const row of subjects) {
      if (!buildIds.has(row.build_id)) continue
      for (const each of subjectDigests.get(`${row.build_id}:${row.position}`) ?? []) {
        if (each.digest_algorithm !== null && each.digest_value !== null) digestSet[each.digest_algorithm] ??= each.digest_value
      }
    }
    for (const rebuild of rebuilds) for (const [name, value] of Object.entries(rebuild.artifact.digest)) digestSet[name] ??= value
    if (describesIt && sbomSubject !== null) for (const [name, value] of Object.entries(sbomSubject)) digestSet[name] ??= value

    const names = new Set<string>()
    const addName = (name: string | null) => {
      if (name !== null && name !== '') names.add(name)
    }
    for (const row of subjects) addName(row.name)
    for (const rebuild of rebuilds) addName(rebuild.artifact.name)
    if (describesIt && sbom !== null) addName(sbom.subject_name)

    const attestations = [...(roles.get(hex) ?? new Map<string, Role>())].flatMap(([id, role]) => {
      const document = documents.get(id)
      return document === undefined ? [] : [{ documentId: DocumentId.parse(id), ...document, predicateType: role.predicateType, buildId: role.buildId === null ? null : BuildId.parse(role.buildId) }]
    })
    facts.set(`sha256:${hex}`, {
      digests: digestSet,
      names: [...names],
      builds,
      attestations,
      sbom: sbom === null ? null : { documentId: DocumentId.parse(sbom.document_id), standard: sbom.standard, componentCount: sbom.component_count },
      rebuilds,
      deployments: deployed.has(hex) ? await artifactDeployments(base, hex) : [],
    })
  }
  return { facts, buildsWithAlerts }
}
