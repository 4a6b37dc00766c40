import { createHash } from 'node:crypto'
import { ingestContext, type Config } from '../config'
import { IngestError } from '../ingest/errors'
import { prepareDocument } from '../ingest/ingest'
import type { Subject } from '../../src/contract/common'
import type { LoggedEntry, LogPair } from './records'
import type { ReverifyOutcome } from './reverify-store'
import type { Store } from '../store/types'

const FINGERPRINT_KEY = 'verification-config-fingerprint'

/**
 * Bumped when the verifier's checks change what they record (2: checks that could not be judged say so; 3: a
 * check that crashed is an internal error, not a failure, and v0.1 bundles whose proof has no checkpoint, Rekor v2
 * entries over a DSSE PAE, PyPI, gcloud and Rekor entry documents verify; 4: a bundle without a log entry is
 * verified with a Rekor entry stored apart that records its signature; 5: after a Sigstore bundle's signature
 * fails, signer-trusted and certificate-identity are not judged, and no trusted signer is named; 6: documents that
 * describe no build are indexed by what they are about, as they are read again), so a store's verdicts are
 * re-verified on the next start and the old ones kept as history.
 */
const VERIFIER_REVISION = 6

/** What verdicts depend on: trusted keys, trust files, policies and the verifier. When it changes, stored verdicts may be stale. */
export function verificationFingerprint(config: Config): string {
  return createHash('sha256')
    .update(JSON.stringify({ verifier: VERIFIER_REVISION, keys: config.keys.map((key) => [key.id, key.fingerprint]), policies: config.policies, trustFiles: config.trustFiles }))
    .digest('hex')
}

/**
 * Re-runs every stored document through the current config's verification, each with the Rekor entries stored
 * apart that record it. Log pairs and entries missing from the store (documents stored before migration 0017) are
 * kept as they are found; when that brings new evidence, the pass runs once more so it is used.
 */
export async function reverifyAll(store: Store, config: Config): Promise<ReverifyOutcome> {
  const context = ingestContext(config)
  let total: ReverifyOutcome = { checked: 0, changed: 0 }
  for (let pass = 0; pass < 2; pass++) {
    const evidence = await store.documents.logEvidenceByDocument()
    const facts: { documentId: string; keys: LogPair[]; entries: LoggedEntry[] }[] = []
    const about: { documentId: string; subjects: Subject[] }[] = []
    const outcome = await store.documents.reverify(({ id, raw }) => {
      try {
        const logEvidence = evidence.get(id)
        const { item } = prepareDocument(Buffer.from(raw), logEvidence ? { ...context, logEvidence } : context)
        if (item.logKeys || item.logEntries) facts.push({ documentId: id, keys: item.logKeys ?? [], entries: item.logEntries ?? [] })
        if (pass === 0 && item.subjects) about.push({ documentId: id, subjects: item.subjects })
        return item.document.verification
      } catch (error) {
        // A document that no longer reads keeps the verdict it was stored with.
        if (error instanceof IngestError) return null
        throw error
      }
    })
    total = { checked: outcome.checked, changed: total.changed + outcome.changed }
    await store.documents.keepLogFacts(facts)
    // Documents stored before they were indexed by what they are about (message signatures, cosign signatures, other
    // Statements) are indexed as they are read again; rows already there are left as they are.
    await store.documents.keepSubjects(about)
    const after = await store.documents.logEvidenceByDocument()
    if (after.size === evidence.size) break
  }
  await store.settings.set(FINGERPRINT_KEY, verificationFingerprint(config))
  return total
}

/** True when the store's verdicts were made under a different config than this one. */
export async function verdictsAreStale(store: Store, config: Config): Promise<boolean> {
  const stored = await store.settings.get(FINGERPRINT_KEY)
  if (stored === null) {
    await store.settings.set(FINGERPRINT_KEY, verificationFingerprint(config))
    return false
  }
  return stored !== verificationFingerprint(config)
}
