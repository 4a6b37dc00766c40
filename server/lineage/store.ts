import type { LineageQuery } from '../../src/contract/lineage'
import { membersOf, walkLineage, type ArtifactFacts, type ArtifactRef, type LineageOutcome, type LineageReader } from '../../domain/lineage-walk'
import { dependsOn, produced } from '../../domain/lineage-edges'
import type { Db, StoreKind } from '../store/db'
import { artifactFacts } from './artifact-facts'
import { coalesce } from './batch'
import { buildLoaders } from './build-facts'
import { deploymentLoaders } from './deployment-facts'
import { evidenceLoaders } from './evidence'
import { prefixLookups } from './prefixes'
import { surroundings } from './surroundings'

/*
 * The lineage reader over the store: each question the walk (domain/lineage-walk.ts) asks is one or two index
 * seeks: builds by commit on (source_commit, time, id), by digest on subjects(digest_value), dependants on
 * build_dependencies(digest_value, time, build_id), deployments by digest on deployment_artifacts(digest_value,
 * deployed_at), by environment on (environment, deployed_at, id), evidence on sbom_digests and rebuilds by digest.
 * A group of thousands is counted and its states summed in SQL from indexes (an environment's from the counters
 * migration 0038 keeps); only the members shown are read. The questions live by subject in build-facts, deployment-facts, evidence, artifact-facts,
 * prefixes and surroundings; this module puts them together.
 */

export interface LineageRepository {
  graph(query: LineageQuery): Promise<LineageOutcome>
}

export function lineageRepository(db: Db, kind: StoreKind): LineageRepository {
  return { graph: (query) => walkLineage(remembering(lineageReader(db, kind)), query) }
}

/**
 * One walk asks for the same environment from each of its deployments, and for an artifact's facts from each
 * relation that reaches it: within one request the answers cannot change enough to matter, so each is asked once.
 */
function remembering(reader: LineageReader): LineageReader {
  const environments = new Map<string, ReturnType<LineageReader['environment']>>()
  const artifacts = new Map<string, Promise<ArtifactFacts | undefined>>()
  return {
    ...reader,
    environment: (name) => {
      let found = environments.get(name)
      if (found === undefined) {
        found = reader.environment(name)
        environments.set(name, found)
      }
      return found
    },
    artifacts: async (refs) => {
      const found = await Promise.all(
        refs.map((ref) => {
          const key = `${ref.digest}\n${ref.name ?? ''}`
          let facts = artifacts.get(key)
          if (facts === undefined) {
            facts = reader.artifacts([ref]).then((answer) => answer[0])
            artifacts.set(key, facts)
          }
          return facts
        }),
      )
      return found.flatMap((facts) => (facts === undefined ? [] : [facts]))
    },
  }
}

export function lineageReader(db: Db, kind: StoreKind): LineageReader {
  const { buildsById, buildsOfCommit, buildsProducing, buildsDependingOn, subjectsOfBuild, dependenciesOfBuild } = buildLoaders(db)
  const { deploymentsById, deploymentsOf, deploymentsIn, environment } = deploymentLoaders(db)
  const { sbomsOf, rebuildsOf, attestationsOf } = evidenceLoaders(db)
  const artifacts = coalesce<ArtifactRef, ArtifactFacts>((refs) => artifactFacts(db, refs), (ref) => `${ref.digest}\n${ref.name ?? ''}`)

  const some = <T>(items: readonly (T | null)[]): T[] => items.flatMap((item) => (item === null ? [] : [item]))

  return {
    buildsById: async (ids) => some(await Promise.all(ids.map(buildsById))),
    deploymentsById: async (ids) => some(await Promise.all(ids.map(deploymentsById))),
    ...prefixLookups(db, kind),
    environment,

    artifacts: (refs) => Promise.all(refs.map(artifacts)),

    buildsOfCommit: (commit, limit) => buildsOfCommit(commit, limit),
    buildsProducing: (digest, limit) => buildsProducing(digest, limit),
    buildsDependingOn: (digest, limit) => buildsDependingOn(digest, limit),

    subjectsOf: async (build, limit) => {
      const members = membersOf(await subjectsOfBuild(build.id), () => produced(build))
      return { ...members, items: members.items.slice(0, limit) }
    },

    dependenciesOf: async (build, limit) => {
      const members = membersOf(await dependenciesOfBuild(build.id), () => dependsOn(build))
      return { ...members, items: members.items.slice(0, limit) }
    },

    sbomsOf: (digest, limit) => sbomsOf(digest, limit),
    rebuildsOf: (digest, limit) => rebuildsOf(digest, limit),
    attestationsOf: (digest, limit) => attestationsOf(digest, limit),
    deploymentsOf: (digest, limit) => deploymentsOf(digest, limit),
    deploymentsIn,
    ...surroundings(db),
  }
}
