import type { VerificationStatus } from '../src/contract/common'
import type { EdgeState } from '../src/contract/lineage'
import { shortCommit } from './deployment-provenance'

/*
 * The verification state of every lineage edge, and of every node, with the one phrase that says why. An edge
 * is as strong as the document that makes the claim: provenance claims built-from, produced and depends-on; an
 * SBOM claims describes; a rebuild verdict claims rebuilt-as; a deployment record claims deployed-to.
 */

export type Judged = { state: EdgeState; reason: string }

/** verified stays verified, failed stays failed; untrusted, unsigned and unverifiable claims are unverified. */
export const stateOfStatus = (status: VerificationStatus): EdgeState =>
  status === 'verified' ? 'verified' : status === 'failed' ? 'failed' : 'unverified'

const notProven: Record<Exclude<VerificationStatus, 'verified' | 'failed'>, string> = {
  untrusted: 'signed by a key nothing trusted vouches for',
  unsigned: 'not signed',
  unverifiable: 'trust material to check it is missing',
}

/** "<what> <how it verified>": `provenance signed by a trusted key`, `SBOM failed envelope-signature`. */
export function claimBy(what: string, status: VerificationStatus, failedCheck: string | null, signer: string | null = null): Judged {
  if (status === 'verified') return { state: 'verified', reason: `${what} verified${signer ? ` (signed by ${signer})` : ''}` }
  if (status === 'failed') return { state: 'failed', reason: `${what} failed verification${failedCheck ? `: ${failedCheck}` : ''}` }
  return { state: 'unverified', reason: `${what} ${notProven[status]}` }
}

export type BuildClaim = { status: VerificationStatus; failedCheck: string | null; signer: string | null }

/** commit → build: the build's provenance names the commit. */
export const builtFrom = (build: BuildClaim, commit: string): Judged => {
  const judged = claimBy('provenance', build.status, build.failedCheck, build.signer)
  return { state: judged.state, reason: `${judged.reason}; names commit ${shortCommit(commit)}` }
}

/** build → artifact: the provenance lists the digest as a subject. */
export const produced = (build: BuildClaim): Judged => {
  const judged = claimBy('provenance', build.status, build.failedCheck, build.signer)
  return { state: judged.state, reason: `listed as a subject; ${judged.reason}` }
}

/**
 * The resolved dependencies of a provenance that are artifacts in the graph: those naming a well-formed sha256
 * digest (lower-cased), once each, by their name or else their URI. The store indexes every sha256 value it finds;
 * this decides which are edges, for the walk upstream and downstream alike.
 */
export function dependencyRefs(dependencies: readonly { name?: string | null; uri?: string | null; digest: Readonly<Record<string, string>> }[]): { digest: string; name: string | null }[] {
  const refs = new Map<string, { digest: string; name: string | null }>()
  for (const dependency of dependencies) {
    const hex = dependency.digest.sha256?.toLowerCase()
    if (hex === undefined || !/^[0-9a-f]{64}$/.test(hex) || refs.has(hex)) continue
    refs.set(hex, { digest: `sha256:${hex}`, name: dependency.name ?? dependency.uri ?? null })
  }
  return [...refs.values()]
}

/** input artifact → build: a resolved dependency of the provenance. */
export const dependsOn = (build: BuildClaim): Judged => {
  const judged = claimBy('provenance', build.status, build.failedCheck, build.signer)
  return { state: judged.state, reason: `a resolved dependency; ${judged.reason}` }
}

/** artifact → rebuild: a disagreement is a failed edge whoever claims it; agreement counts only when signed by a trusted key. */
export function rebuiltAs(rebuild: { verdict: 'match' | 'mismatch'; status: VerificationStatus; rebuilderId: string | null; rebuiltDigest: string | null }): Judged {
  const who = rebuild.rebuilderId ?? 'an unnamed rebuilder'
  if (rebuild.verdict === 'mismatch') {
    const digest = rebuild.rebuiltDigest === null ? 'a different digest' : `${rebuild.rebuiltDigest.slice(0, 19)}…`
    const claim = rebuild.status === 'verified' ? '' : ' (an unverified claim)'
    return { state: 'failed', reason: `rebuild by ${who} produced ${digest}${claim}` }
  }
  if (rebuild.status === 'verified') return { state: 'verified', reason: `rebuilt to the same digest by ${who}` }
  const judged = claimBy('rebuild verdict', rebuild.status, null)
  return { state: rebuild.status === 'failed' ? 'failed' : 'unverified', reason: `${who} claims the same digest; ${judged.reason}` }
}

/** A deployment record: signed (by its attestation's verdict) or posted with an ingest token (unverified). */
export function deploymentRecord(deployment: { recordedBy: 'api' | 'attestation'; signature: VerificationStatus | null }): Judged {
  if (deployment.recordedBy === 'api' || deployment.signature === null) return { state: 'unverified', reason: 'recorded with an ingest token, not signed' }
  return claimBy('deployment attestation', deployment.signature, null)
}

/** The node's own state from its edges' and facts' states: any failure fails it, any gap leaves it unverified. */
export function worst(states: readonly EdgeState[]): EdgeState {
  if (states.includes('failed')) return 'failed'
  if (states.includes('unverified')) return 'unverified'
  return 'verified'
}

/** An artifact: verified when a verified path reaches a source commit and no rebuild disagrees. */
export function artifactState(facts: { verifiedPath: boolean; rebuildDisagrees: boolean; provenance: VerificationStatus | 'none' }): EdgeState {
  if (facts.rebuildDisagrees || facts.provenance === 'failed') return 'failed'
  return facts.verifiedPath ? 'verified' : 'unverified'
}

/** A deployment: failed when a deployed digest's rebuild disagrees or its signature failed; verified only when every digest has a verified path. */
export function deploymentState(facts: { flagged: boolean; rebuildDisagrees: boolean; signature: VerificationStatus | null }): EdgeState {
  if (facts.rebuildDisagrees || facts.signature === 'failed') return 'failed'
  return facts.flagged ? 'unverified' : 'verified'
}

/**
 * artifact → VSA: a verifier's verdict, as strong as the VSA's own signature. A verified VSA that says FAILED is
 * a failed edge; one that says PASSED is proven; an unsigned or untrusted one is unverified whatever it says.
 */
export function vsaClaim(vsa: { verifierId: string; result: 'PASSED' | 'FAILED'; levels: readonly string[] }, status: VerificationStatus, failedCheck: string | null, signer: string | null = null): Judged {
  const judged = claimBy(`VSA from ${vsa.verifierId}`, status, failedCheck, signer)
  const says = `${vsa.result}${vsa.levels.length > 0 ? ` (${vsa.levels.join(', ')})` : ''}`
  if (judged.state !== 'verified') return { state: judged.state, reason: `${judged.reason}; it says ${says}` }
  if (vsa.result === 'FAILED') return { state: 'failed', reason: `${judged.reason}; the verifier says the artifact FAILED` }
  return { state: 'verified', reason: `${judged.reason}; it says ${says}` }
}
