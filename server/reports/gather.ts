import { AlertQuery, type Alert } from '../../src/contract/alerts'
import type { ReportScope } from '../../src/contract/reports'
import type { Store } from '../store/types'
import { scopeDigests, type ArtifactEvidence } from './assemble'

/**
 * Reads what the store knows of each digest in the scope, one artifact at a time (so a release never holds more
 * than its own artifacts), telling `onProgress` after each.
 */
export async function gatherEvidence(store: Store, scope: ReportScope, onProgress: (done: number, total: number) => void = () => {}): Promise<ArtifactEvidence[]> {
  const digests = scopeDigests(scope)
  const evidence: ArtifactEvidence[] = []
  for (const digest of digests) {
    const lookup = await store.artifacts.get(digest)
    const detail = lookup.kind === 'found' ? lookup.artifact : null
    const alerts: Alert[] = []
    for (const build of detail?.builds ?? []) {
      // Every state: assembly keeps open, acknowledged and waived ones and says why each was waived.
      const page = await store.alerts.list(AlertQuery.parse({ buildId: build.id, limit: 500 }))
      alerts.push(...page.items)
    }
    evidence.push({ digest, detail, alerts: [...new Map(alerts.map((alert) => [alert.id, alert])).values()] })
    onProgress(evidence.length, digests.length)
  }
  return evidence
}
