import { judgeProvenance } from '../../domain/deployment-provenance'
import type { ArtifactFacts, ArtifactRef } from '../../domain/lineage-walk'
import { provenanceFacts } from '../deployments/store'
import type { Db } from '../store/db'
import { hexOf } from './members'

/** What the graph says of each artifact: its judged provenance, its name, whether anything deployed it. */
export async function artifactFacts(db: Db, refs: readonly ArtifactRef[]): Promise<ArtifactFacts[]> {
  const hexes = [...new Set(refs.map((ref) => hexOf(ref.digest)))]
  if (hexes.length === 0) return []
  const [facts, deployed, sboms] = await Promise.all([
    provenanceFacts(db, hexes),
    db.selectFrom('deployment_artifacts').select((eb) => ['digest_value', 'name', eb.fn.countAll<number>().as('count')]).where('digest_value', 'in', hexes).groupBy(['digest_value', 'name']).execute(),
    db.selectFrom('sbom_digests').select('digest_value').where('digest_algorithm', '=', 'sha256').where('digest_value', 'in', hexes).execute(),
  ])
  const deployedCount = new Map<string, { count: number; name: string | null }>()
  for (const row of deployed) {
    const entry = deployedCount.get(row.digest_value) ?? { count: 0, name: null }
    entry.count += Number(row.count)
    entry.name ??= row.name
    deployedCount.set(row.digest_value, entry)
  }
  const described = new Set(sboms.map((row) => row.digest_value))
  return refs.map((ref): ArtifactFacts => {
    const hex = hexOf(ref.digest)
    const fact = facts.get(hex) ?? { builds: [], rebuilds: [] }
    const provenance = judgeProvenance(fact.builds, fact.rebuilds)
    const named = fact.builds.find((build) => build.id === provenance.buildId) ?? fact.builds[0]
    const deployments = deployedCount.get(hex)
    return {
      digest: `sha256:${hex}`,
      name: ref.name ?? named?.name ?? deployments?.name ?? null,
      project: named?.project ?? null,
      provenance,
      deployed: deployments?.count ?? 0,
      known: fact.builds.length > 0 || fact.rebuilds.length > 0 || described.has(hex) || deployments !== undefined,
    }
  })
}
