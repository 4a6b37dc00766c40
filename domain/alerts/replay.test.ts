import { describe, expect, it } from 'vitest'
import type { Deployment, DeployedProvenance } from '../../src/contract/deployments'
import { replayDeploymentAlerts, type ReplayedAlert } from './replay'
import { alertSettings } from './settings'

/* The deployment rule replayed over a promotion history, as the mocks answer it and the server's engine files it. */

const hex = (n: number) => n.toString(16).padStart(64, '0')
const verified: DeployedProvenance = { status: 'verified', buildId: null, sourceRepo: null, sourceCommit: 'c'.repeat(40), verifiedPath: true, rebuildDisagrees: false, reason: 'provenance verified' }
const none: DeployedProvenance = { status: 'none', buildId: null, sourceRepo: null, sourceCommit: null, verifiedPath: false, rebuildDisagrees: false, reason: 'no provenance names this digest' }

function deployment(n: number, environment: string, at: string, provenance: DeployedProvenance): Deployment {
  return {
    id: hex(n) as Deployment['id'],
    environment: { name: environment, cluster: null, namespace: null, region: null },
    service: 'api',
    project: 'acme/api',
    artifacts: [{ digest: `sha256:${hex(n + 100)}`, name: 'api', provenance }],
    deployedAt: at,
    system: { name: 'argo-cd', runUrl: null },
    replaces: null,
    replacedBy: null,
    recordedBy: 'api',
    documentId: null,
    signature: null,
    flagged: !provenance.verifiedPath,
    ingestedAt: at,
  }
}

describe('replayDeploymentAlerts', () => {
  it('keeps open what runs unverified now and resolves, saying why, what a verified release replaced', () => {
    const alerts = new Map<string, ReplayedAlert>()
    const history = [
      { deployment: deployment(1, 'production', '2026-11-01T00:00:00.000Z', none), current: false },
      { deployment: deployment(2, 'production', '2026-11-02T00:00:00.000Z', verified), current: true },
      { deployment: deployment(3, 'staging', '2026-11-03T00:00:00.000Z', none), current: false },
      { deployment: deployment(4, 'staging', '2026-11-04T00:00:00.000Z', none), current: true },
    ]
    replayDeploymentAlerts(alerts, history, () => alertSettings(null), { projects: new Map(), documents: new Map() }, Date.UTC(2026, 10, 5))
    const byCause = new Map([...alerts.values()].map((entry) => [entry.alert.cause, entry]))
    expect(byCause.get('staging/api')?.alert).toMatchObject({ state: 'open', occurrences: 2, subject: { id: hex(4) } })
    const production = byCause.get('production/api')
    expect(production?.alert).toMatchObject({ state: 'resolved', occurrences: 1 })
    expect(production?.history.at(-1)).toMatchObject({ actor: 'rules', kind: 'cleared', from: 'open', to: 'resolved' })
    expect(production?.history.at(-1)?.reason).toBe(`api in production now runs api sha256:${hex(102).slice(0, 12)}…, whose provenance verifies: provenance verified`)
  })
})
