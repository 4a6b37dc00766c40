import type { ArtifactDetail } from '../../../contract/artifacts'
import type { ChangedOutput } from '../../../contract/meta'
import { verificationStatuses, type VerificationStatus } from '../../../contract/common'
import { formatCount } from '../../../lib/format'

/** good: nothing against it; bad: something says do not trust it; none: nothing was checked, which is no comfort. */
export type Tone = 'good' | 'bad' | 'none'

/** One kind of verdict about an artifact, in a sentence, with the section of the page that holds its evidence. */
export type ArtifactVerdict = { topic: 'Attestations' | 'Rebuilds' | 'SBOM' | 'Deployments' | 'Served copy'; tone: Tone; text: string; section: string }

const STATUS_WORDS: Record<VerificationStatus, string> = {
  verified: 'verified',
  failed: 'failed',
  untrusted: 'signed by a key this server does not trust',
  unsigned: 'unsigned',
  unverifiable: 'unverifiable',
}

const TOPIC_WORDS: Record<ArtifactVerdict['topic'], string> = { Attestations: 'attestations', Rebuilds: 'rebuilds', SBOM: 'the SBOM', Deployments: 'deployments', 'Served copy': 'the copy this server serves' }

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`

function attestationsVerdict(artifact: ArtifactDetail): ArtifactVerdict {
  const { attestations } = artifact
  if (attestations.length === 0) return { topic: 'Attestations', tone: 'none', text: 'No document attests to this artifact.', section: 'attestations' }
  const counts = verificationStatuses
    .map((status) => [status, attestations.filter((attestation) => attestation.verification.status === status).length] as const)
    .filter(([, count]) => count > 0)
  const parts = counts.map(([status, count]) => `${count} ${STATUS_WORDS[status]}`)
  const failedChecks = [...new Set(attestations.flatMap((attestation) => (attestation.verification.failedCheck ? [attestation.verification.failedCheck] : [])))]
  const all = counts.length === 1 && counts[0]?.[0] === 'verified'
  const text = all
    ? `${attestations.length === 1 ? 'The attestation is' : `All ${attestations.length} attestations are`} verified.`
    : `${plural(attestations.length, 'attestation', 'attestations')}: ${parts.join(', ')}${failedChecks.length > 0 ? ` (failing: ${failedChecks.join(', ')})` : ''}.`
  return { topic: 'Attestations', tone: all ? 'good' : 'bad', text, section: 'attestations' }
}

/** "2 rebuild verdicts were not counted: …", or "" when every verdict counted. */
export function notCountedSentence(notCounted: number): string {
  if (notCounted === 0) return ''
  return notCounted === 1
    ? '1 rebuild verdict was not counted: its document did not verify with a trusted key, so it is only a claim.'
    : `${notCounted} rebuild verdicts were not counted: their documents did not verify with a trusted key, so they are only claims.`
}

function rebuildsVerdict(artifact: ArtifactDetail): ArtifactVerdict {
  // Only verified rebuild attestations are counted (domain/reproducibility.ts); the rest are claims, said apart.
  const { rebuilders, matched, mismatched, notCounted } = artifact.reproducibility
  const claims = notCountedSentence(notCounted)
  if (rebuilders === 0) {
    return notCounted === 0
      ? { topic: 'Rebuilds', tone: 'none', text: 'No independent rebuild is recorded, so nobody has checked that its source produces it.', section: 'rebuilds' }
      : { topic: 'Rebuilds', tone: 'bad', text: `No rebuild verdict signed by a trusted rebuilder is recorded, so nobody trusted has checked that its source produces it. ${claims}`, section: 'rebuilds' }
  }
  const agree = `${matched} of ${rebuilders} ${rebuilders === 1 ? 'rebuilder agrees' : 'rebuilders agree'} with the published digest`
  const disagree = mismatched > 0 ? `; ${mismatched} ${mismatched === 1 ? 'disagrees' : 'disagree'}` : ''
  return { topic: 'Rebuilds', tone: mismatched > 0 || matched < rebuilders || notCounted > 0 ? 'bad' : 'good', text: `${agree}${disagree}.${claims ? ` ${claims}` : ''}`, section: 'rebuilds' }
}

function sbomVerdict(artifact: ArtifactDetail): ArtifactVerdict {
  const { sbom } = artifact
  if (sbom === null) return { topic: 'SBOM', tone: 'none', text: 'No SBOM describing it was ingested.', section: 'sbom' }
  const standard = sbom.standard === 'cyclonedx' ? 'CycloneDX' : 'SPDX'
  const components = `${formatCount(sbom.componentCount)} component${sbom.componentCount === 1 ? '' : 's'}`
  return { topic: 'SBOM', tone: sbom.status === 'verified' ? 'good' : 'bad', text: `A ${standard} SBOM of ${components} describes it; its signature is ${STATUS_WORDS[sbom.status]}.`, section: 'sbom' }
}

function deploymentsVerdict(artifact: ArtifactDetail): ArtifactVerdict {
  const { deployments } = artifact
  if (deployments.length === 0) return { topic: 'Deployments', tone: 'none', text: 'No deployment of it is recorded.', section: 'deployments' }
  const environments = [...new Set(deployments.filter((deployment) => deployment.current).map((deployment) => deployment.environment))].sort()
  const running = environments.length === 0 ? 'It runs in no environment now.' : `It runs now in ${environments.join(', ')}.`
  const flagged = deployments.filter((deployment) => deployment.flagged).length
  return flagged > 0
    ? { topic: 'Deployments', tone: 'bad', text: `${plural(flagged, 'deployment has', 'deployments have')} no verified path back to a source commit (deployed without verified provenance). ${running}`, section: 'deployments' }
    : { topic: 'Deployments', tone: 'good', text: `${plural(deployments.length, 'deployment is', 'deployments are')} recorded, each with verified provenance. ${running}`, section: 'deployments' }
}

/** The server's own files attested as this artifact whose bytes on disk are not these: what runs is not what was attested. */
function servedCopyVerdict(changed: readonly ChangedOutput[]): ArtifactVerdict {
  const files = changed.map((file) => `${file.name} (SHA-256 ${file.served.slice(7, 19)}…)`).join(', ')
  return {
    topic: 'Served copy',
    tone: 'bad',
    text: `This server serves ${files} with other bytes than its provenance attests for this artifact: the file changed after the build.`,
    section: 'served-copy',
  }
}

/**
 * Every verdict about an artifact, in the order the page shows their evidence. `servedChanged` lists the running
 * server's own files attested as this artifact but different on disk (GET /api/v1/own-build); empty for any other.
 */
export function artifactVerdicts(artifact: ArtifactDetail, servedChanged: readonly ChangedOutput[] = []): ArtifactVerdict[] {
  const verdicts = [attestationsVerdict(artifact), rebuildsVerdict(artifact), sbomVerdict(artifact), deploymentsVerdict(artifact)]
  return servedChanged.length > 0 ? [servedCopyVerdict(servedChanged), ...verdicts] : verdicts
}

/**
 * The headline over them: good only when every verdict that exists is good. One bad verdict anywhere (a
 * disagreeing rebuilder, a failed attestation) is what a reader of the top of the page must not miss.
 */
export function artifactHeadline(verdicts: readonly ArtifactVerdict[]): { tone: Tone; text: string } {
  const bad = verdicts.filter((verdict) => verdict.tone === 'bad')
  if (bad.length > 0) return { tone: 'bad', text: `Not every verdict about this artifact is good: see ${bad.map((verdict) => TOPIC_WORDS[verdict.topic]).join(' and ')}.` }
  if (verdicts.some((verdict) => verdict.tone === 'good')) {
    const unchecked = verdicts.filter((verdict) => verdict.tone === 'none' && verdict.topic !== 'Deployments')
    return {
      tone: 'good',
      text: unchecked.length === 0 ? 'Every verdict about this artifact is good.' : `No verdict about this artifact is bad, but some were never made: ${unchecked.map((verdict) => TOPIC_WORDS[verdict.topic]).join(', ')}.`,
    }
  }
  return { tone: 'none', text: 'Nothing about this artifact has been checked.' }
}
