import type { EdgeState, LineageEdge, LineageEdgeType, LineageGraph, LineageNode } from '../../../contract/lineage'
import { seededRandom, type Random } from '../../../../demo/random'

/**
 * A synthetic lineage graph of a given size, valid by the contract, for the layout and rendering benches and for
 * tests at scale: six layers (commits, builds, artifacts, evidence, deployments, environments), about 1.5 edges
 * per node, each node joined to partners near it in time (as real lineage is), with some jitter so that the time
 * order alone leaves crossings to remove. Deterministic for a seed.
 */
export function syntheticLineage(nodeCount: number, seed = 7, edgesPerNode = 1.5): LineageGraph {
  const random = seededRandom(seed)
  const environments = Math.max(3, Math.round(nodeCount * 0.006))
  const rest = nodeCount - environments
  const counts = {
    commit: Math.round(rest * 0.08),
    build: Math.round(rest * 0.16),
    artifact: Math.round(rest * 0.24),
    attestation: Math.round(rest * 0.16),
    sbom: Math.round(rest * 0.08),
    rebuild: Math.round(rest * 0.08),
    deployment: 0,
  }
  counts.deployment = rest - counts.commit - counts.build - counts.artifact - counts.attestation - counts.sbom - counts.rebuild
  const start = Date.UTC(2026, 0, 1)
  const span = 90 * 86_400_000
  const at = (index: number, count: number) => new Date(start + Math.floor(((index + random.next()) / Math.max(1, count)) * span)).toISOString()
  const hex = (length: number) => random.hex(length)
  const state = (): EdgeState => (random.chance(0.01) ? 'failed' : random.chance(0.06) ? 'unverified' : 'verified')

  const nodes: LineageNode[] = []
  const ids: Record<keyof typeof counts | 'environment', string[]> = {
    commit: [],
    build: [],
    artifact: [],
    attestation: [],
    sbom: [],
    rebuild: [],
    deployment: [],
    environment: [],
  }
  const common = (id: string, label: string, key: string) => ({ id, label, key, state: state(), distance: 1, more: false })
  for (let i = 0; i < counts.commit; i++) {
    const commit = hex(40)
    const id = `commit:${commit}`
    ids.commit.push(id)
    nodes.push({ ...common(id, commit.slice(0, 7), commit), type: 'commit', facts: { repo: 'https://git.example/acme/api', commit, project: 'acme/api' } })
  }
  for (let i = 0; i < counts.build; i++) {
    const key = hex(64)
    const id = `build:${key}`
    ids.build.push(id)
    const status = random.chance(0.03) ? 'failed' : 'verified'
    nodes.push({
      ...common(id, `acme/api #${i + 1}`, key),
      type: 'build',
      facts: { project: 'acme/api', status, failedCheck: status === 'failed' ? 'envelope-signature' : null, builderId: 'https://ci.example/builder', buildType: null, sourceRepo: null, sourceCommit: null, time: at(i, counts.build) },
    })
  }
  for (let i = 0; i < counts.artifact; i++) {
    const digest = `sha256:${hex(64)}`
    const id = `artifact:${digest}`
    ids.artifact.push(id)
    const name = random.pick(['api-linux-amd64', 'api-linux-arm64', 'api-darwin-arm64', 'api.tar.gz'])
    nodes.push({
      ...common(id, name, digest),
      type: 'artifact',
      facts: { digest, name, project: 'acme/api', provenance: 'verified', verifiedPath: true, rebuildDisagrees: false, deployedWithoutVerifiedProvenance: false },
    })
  }
  for (let i = 0; i < counts.attestation; i++) {
    const documentId = hex(64)
    const id = `attestation:${documentId}`
    ids.attestation.push(id)
    nodes.push({
      ...common(id, 'SLSA provenance v1', documentId),
      type: 'attestation',
      facts: { documentId, format: 'dsse', predicateType: 'https://slsa.dev/provenance/v1', status: 'verified', failedCheck: null, signer: 'demo-release-ed25519', ingestedAt: at(i, counts.attestation) },
    })
  }
  for (let i = 0; i < counts.sbom; i++) {
    const documentId = hex(64)
    const id = `sbom:${documentId}`
    ids.sbom.push(id)
    nodes.push({
      ...common(id, 'CycloneDX 1.6', documentId),
      type: 'sbom',
      facts: { documentId, standard: 'cyclonedx', specVersion: '1.6', componentCount: random.int(10, 900), status: 'verified', ingestedAt: at(i, counts.sbom) },
    })
  }
  for (let i = 0; i < counts.rebuild; i++) {
    const rebuildId = hex(64)
    const id = `rebuild:${rebuildId}`
    ids.rebuild.push(id)
    const verdict = random.chance(0.03) ? 'mismatch' : 'match'
    nodes.push({
      ...common(id, `rebuild ${verdict}`, rebuildId),
      type: 'rebuild',
      facts: { rebuildId, documentId: rebuildId, rebuilderId: 'https://rebuild.example/r1', verdict, rebuiltDigest: null, status: 'verified', time: at(i, counts.rebuild) },
    })
  }
  const environmentOf = new Map<string, string>()
  const environmentNames = Array.from({ length: environments }, (_, index) => (index === 0 ? 'production' : index === 1 ? 'staging' : `preview-${index - 1}`))
  for (let i = 0; i < counts.deployment; i++) {
    const key = hex(64)
    const id = `deployment:${key}`
    ids.deployment.push(id)
    const environment = random.pick(environmentNames)
    environmentOf.set(id, environment)
    nodes.push({
      ...common(id, `api → ${environment}`, key),
      type: 'deployment',
      facts: { environment, cluster: null, namespace: null, region: null, service: 'api', project: 'acme/api', deployedAt: at(i, counts.deployment), system: 'argo', runUrl: null, recordedBy: 'api', current: false, replacedBy: null, flagged: false },
    })
  }
  for (const name of environmentNames) {
    const id = `environment:${name}`
    ids.environment.push(id)
    nodes.push({ ...common(id, name, `env:${name}`), type: 'environment', facts: { name, services: 1, flagged: 0 } })
  }

  const edges: LineageEdge[] = []
  const seen = new Set<string>()
  const link = (type: LineageEdgeType, from: string, to: string) => {
    const id = `${type}|${from}|${to}`
    if (seen.has(id)) return false
    seen.add(id)
    edges.push({ id, type, from, to, state: state(), reason: 'synthetic' })
    return true
  }
  // A partner in `list` near relative time `t` (0…1), with jitter of a few positions.
  const near = (list: readonly string[], t: number, jitter = 4) => list[clamp(Math.round(t * (list.length - 1) + gaussian(random) * jitter), 0, list.length - 1)]!
  const each = (list: readonly string[], visit: (id: string, t: number) => void) => list.forEach((id, index) => visit(id, index / Math.max(1, list.length - 1)))
  each(ids.build, (build, t) => link('built-from', near(ids.commit, t), build))
  each(ids.artifact, (artifact, t) => link('produced', near(ids.build, t), artifact))
  each(ids.attestation, (attestation, t) => link('attests', near(ids.artifact, t), attestation))
  each(ids.sbom, (sbom, t) => link('describes', near(ids.artifact, t), sbom))
  each(ids.rebuild, (rebuild, t) => link('rebuilt-as', near(ids.artifact, t), rebuild))
  // Deployments run what was built a little earlier, and are promoted through the environments.
  each(ids.deployment, (deployment, t) => {
    link('deployed-to', near(ids.artifact, Math.max(0, t - 0.01), 8), deployment)
    link('deployed-to', deployment, `environment:${environmentOf.get(deployment) ?? 'production'}`)
  })
  // The rest: multi-subject provenance, builds from several commits, a few input artifacts, multi-digest deploys.
  const target = Math.round(nodeCount * edgesPerNode)
  for (let guard = 0; edges.length < target && guard < target * 10; guard++) {
    const t = random.next()
    const pick = random.next()
    if (pick < 0.35) link('attests', near(ids.artifact, t), near(ids.attestation, t))
    else if (pick < 0.6) link('built-from', near(ids.commit, t), near(ids.build, t))
    else if (pick < 0.85) link('deployed-to', near(ids.artifact, t, 8), near(ids.deployment, t))
    else if (pick < 0.93) link('produced', near(ids.build, t), near(ids.artifact, t))
    else link('depends-on', near(ids.artifact, t, 20), near(ids.build, t))
  }
  const root = ids.artifact[Math.floor(ids.artifact.length / 2)] ?? nodes[0]?.id ?? 'artifact:none'
  return {
    root,
    resolvedAs: 'digest',
    depth: 6,
    direction: 'both',
    nodes: nodes.map((node) => (node.id === root ? { ...node, distance: 0 } : node)),
    edges,
    groups: [],
    truncated: { cut: false, at: [], nodeLimit: Math.max(nodeCount, 1) },
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value))
}

function gaussian(random: Random): number {
  return (random.next() + random.next() + random.next() - 1.5) * 2
}
