import type { EdgeState, LineageNodeType } from '../../../contract/lineage'

// The words for node types and link states, apart from the view's code: the node panel (loaded when a node is
// opened) needs only these, so it does not take lineage-view.ts out of the page's chunk into a chunk of its own.

export const typeWords: Record<LineageNodeType | 'group', string> = {
  commit: 'source commit',
  build: 'build',
  artifact: 'artifact',
  attestation: 'attestation',
  sbom: 'SBOM',
  rebuild: 'rebuild',
  deployment: 'deployment',
  environment: 'environment',
  group: 'group',
}

export const stateWords: Record<EdgeState, string> = {
  verified: 'verified',
  failed: 'failed',
  unverified: 'unverified',
}
