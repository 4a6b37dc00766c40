/*
 * The endpoints behind every screen, as the benches measure them (bench/run.ts for builds, artifacts, signatures,
 * reproducibility and search; bench/lineage-api.ts for lineage; bench/alerts.ts for the queue and the overview),
 * plus deployments, documents and the smaller lists, in one list the PostgreSQL leg runs against both engines.
 * Roots are sampled from across the whole history of the store being measured, not only its newest page.
 */

/** Ids read straight from the database, spread over the whole history (`order by random()`). */
export type EndpointSamples = {
  builds: { id: string; commit: string | null; digest: string | null }[]
  rebuilt: string[]
  deployments: string[]
  documents: string[]
  alerts: string[]
  /** The cursor of a page 20 pages deep in the builds list. */
  deepCursor: string | null
}

/** SQL that reads the samples; plain enough for both engines. */
export const sampleQueries = {
  builds: `select b.id, b.source_commit as "commit",
             (select s.digest_value from subjects s where s.build_id = b.id and s.digest_algorithm = 'sha256' order by s.position limit 1) as digest
           from builds b order by random() limit 300`,
  rebuilt: `select artifact_digest as value from rebuilds where artifact_algorithm = 'sha256' and artifact_digest is not null order by random() limit 300`,
  deployments: 'select id as value from deployments order by random() limit 100',
  documents: 'select id as value from documents order by random() limit 300',
  alerts: 'select id as value from alerts order by random() limit 50',
} as const

const projects = ['acme/web', 'acme/api', 'payments/ledger', 'platform/base-image']
const signers = ['demo-release-ed25519', 'demo-rebuilder-rebuild.acme.example-r1', 'rogue-release-key']

function picker(random: () => number) {
  return <T>(items: readonly T[]): T => {
    const item = items[Math.floor(random() * items.length)]
    if (item === undefined) throw new Error('bench: nothing sampled to pick from; is the store filled?')
    return item
  }
}

/** [screen, label, path] for every endpoint; paths are drawn anew for each request. */
export function screenEndpoints(samples: EndpointSamples, random: () => number = Math.random): [string, string, () => string][] {
  const pick = picker(random)
  const digests = samples.builds.flatMap((build) => (build.digest === null ? [] : [build.digest]))
  const commits = samples.builds.flatMap((build) => (build.commit === null ? [] : [build.commit]))
  const rebuilt = samples.rebuilt.length > 0 ? samples.rebuilt : digests
  const lineage = (from: string) => `/api/v1/lineage?from=${encodeURIComponent(from)}&depth=3`
  return [
    ['Builds', 'newest page (50)', () => '/api/v1/builds'],
    ['Builds', 'project filter', () => `/api/v1/builds?project=${pick(projects)}`],
    ['Builds', 'status=failed', () => '/api/v1/builds?status=failed'],
    ['Builds', 'project + status + 30 days', () => '/api/v1/builds?project=acme/api&status=verified&from=2026-09-01T00:00:00Z&to=2026-10-01T00:00:00Z'],
    ['Builds', 'page 20 deep (cursor)', () => `/api/v1/builds?cursor=${samples.deepCursor ?? ''}`],
    ['Builds', 'by commit (full)', () => `/api/v1/builds?commit=${pick(commits)}`],
    ['Builds', 'by commit (7-char prefix)', () => `/api/v1/builds?commit=${pick(commits).slice(0, 7)}`],
    ['Build', 'detail', () => `/api/v1/builds/${pick(samples.builds).id}`],
    ['Build', 'neighbours', () => `/api/v1/builds/${pick(samples.builds).id}/neighbours`],
    ['Artifact', 'by full digest (rebuilt)', () => `/api/v1/artifacts/sha256:${pick(rebuilt)}`],
    ['Artifact', 'by 12-char prefix', () => `/api/v1/artifacts/${pick(digests).slice(0, 12)}`],
    ['Artifacts', 'project filter', () => `/api/v1/artifacts?project=${pick(projects)}`],
    ['Document', 'detail', () => `/api/v1/documents/${pick(samples.documents)}`],
    ['Signatures', 'no filter (+ counts)', () => '/api/v1/signatures'],
    ['Signatures', 'status=failed', () => '/api/v1/signatures?status=failed'],
    ['Signatures', 'project filter', () => `/api/v1/signatures?project=${pick(projects)}`],
    ['Signatures', 'signer filter', () => `/api/v1/signatures?signer=${pick(signers)}`],
    ['Signatures', 'one week (+ counts)', () => '/api/v1/signatures?from=2026-11-01T00:00:00Z&to=2026-11-08T00:00:00Z'],
    ['Reproducibility', 'summary', () => '/api/v1/reproducibility'],
    ['Reproducibility', 'history, 2 years', () => '/api/v1/reproducibility/history?project=acme/web&from=2024-12-01T00:00:00Z&to=2026-12-01T00:00:00Z'],
    ['Reproducibility', 'history, 120 days', () => '/api/v1/reproducibility/history?project=acme/web&from=2026-07-30T00:00:00Z&to=2026-11-28T00:00:00Z'],
    ['Reproducibility', 'matrix', () => `/api/v1/reproducibility/matrix?project=${pick(projects)}`],
    ['Rebuilds', 'project filter', () => `/api/v1/rebuilds?project=${pick(projects)}`],
    ['Search', 'digest prefix (12)', () => `/api/v1/search?q=${pick(digests).slice(0, 12)}`],
    ['Search', 'commit', () => `/api/v1/search?q=${pick(commits)}`],
    ['Search', 'name prefix "web"', () => '/api/v1/search?q=web'],
    ['Search', 'signer prefix "demo-re"', () => '/api/v1/search?q=demo-re'],
    ['Lineage', 'artifact digest', () => lineage(`sha256:${pick(digests)}`)],
    ['Lineage', 'build id', () => lineage(pick(samples.builds).id)],
    ['Lineage', 'commit', () => lineage(pick(commits))],
    ['Lineage', 'deployment id', () => lineage(pick(samples.deployments))],
    ['Lineage', 'environment (grouped)', () => lineage('env:staging')],
    ['Deployments', 'newest page', () => '/api/v1/deployments'],
    ['Deployments', 'environment filter', () => '/api/v1/deployments?environment=production'],
    ['Deployments', 'one deployment', () => `/api/v1/deployments/${pick(samples.deployments)}`],
    ['Deployments', 'environments', () => '/api/v1/environments'],
    ['Alerts', 'queue, most severe first', () => '/api/v1/alerts?limit=100'],
    ['Alerts', 'one alert', () => `/api/v1/alerts/${pick(samples.alerts)}`],
    ['Overview', 'one day', () => '/api/v1/overview?day=2026-11-27'],
    ['Projects', 'list', () => '/api/v1/projects'],
  ]
}
