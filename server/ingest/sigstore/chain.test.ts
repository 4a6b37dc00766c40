import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
// The library's own chain and SCT verification, which the shortcut must never be more lenient than.
import { verifyCertificate } from '@sigstore/verify/dist/key/index.js'
import { expect, it } from 'vitest'
import { corpusDir, corpusFiles, describeWithCorpus, jsonValues } from '../../testing/corpus'
import { looksLikeBundle, readBundleJson } from './bundle-json'
import { issuedWithin } from './chain'
import { readCertificate } from './certificate'
import { readTimestamps } from './timestamps'
import { loadSigstoreTrust, type SigstoreTrust } from './trust-material'

const PRODUCTION_ROOTS = ['2-dsse-sigstore-bundles/sigstore-go/trusted-root-public-good.json', '3-npm-github-attestations/github-gh-cli/trusted_root.json']

const rootsCache = new Map<string, SigstoreTrust>()
function trustFrom(paths: string[]): SigstoreTrust {
  const id = paths.join('|')
  let trust = rootsCache.get(id)
  if (!trust) rootsCache.set(id, (trust = loadSigstoreTrust(paths.map((path): unknown => JSON.parse(readFileSync(path, 'utf8'))), [])))
  return trust
}

/** Whether @sigstore/verify accepts the leaf's chain at these times with the SCTs the configuration requires. */
function libraryAccepts(trust: SigstoreTrust, leaf: ReturnType<typeof readCertificate>, dates: Date[]): boolean {
  try {
    const { scts } = verifyCertificate(leaf.cert, dates, trust.material)
    return scts.length >= (trust.ctlogs.length > 0 ? 1 : 0)
  } catch {
    return false
  }
}

describeWithCorpus('the certificate-chain shortcut', () => {
  it('accepts a chain only where @sigstore/verify accepts it, at the signing times and just outside the validity window, for every certificate bundle of the corpus', () => {
    let accepted = 0
    let refused = 0
    let leftToLibrary = 0
    for (const file of corpusFiles()) {
      if (!/^[123]-/.test(file.name) || !/\.(json|jsonl|sigstore)$/.test(file.name)) continue
      for (const value of jsonValues(file.text)) {
        if (!looksLikeBundle(value)) continue
        let raw: ReturnType<typeof readBundleJson>
        let leaf: ReturnType<typeof readCertificate>
        let stamps: Date[]
        try {
          raw = readBundleJson(value)
          if (raw.keyMaterial.kind !== 'certificate') continue
          leaf = readCertificate(raw.keyMaterial.der, '$')
          stamps = readTimestamps(raw.rfc3161).map((stamp) => stamp.time)
        } catch {
          continue
        }
        // A conformance case is judged by its own trusted root, everything else by production's.
        const ownRoot = join(dirname(file.path), 'trusted_root.json')
        const roots = file.name.includes('sigstore-conformance') && existsSync(ownRoot) ? [ownRoot] : PRODUCTION_ROOTS.map((path) => join(corpusDir, path))
        let trust: SigstoreTrust
        try {
          trust = trustFrom(roots)
        } catch {
          continue // a trusted root the configuration refuses (a conformance case of its own)
        }
        const logged = raw.tlog.flatMap((entry) => (entry.summary.integratedTime ? [new Date(entry.summary.integratedTime)] : []))
        const notBefore = new Date(leaf.info.notBefore)
        const notAfter = new Date(leaf.info.notAfter)
        const dateSets = [logged, stamps, [notAfter], [new Date(notBefore.getTime() - 1000)], [new Date(notAfter.getTime() + 1000)]]
        for (const dates of dateSets) {
          if (dates.length === 0) continue
          const fast = issuedWithin(trust, leaf, dates)
          const library = libraryAccepts(trust, leaf, dates)
          // Never more lenient than the library; where it declines, the library decides (and gives the message).
          if (fast) expect(library, `${file.name} at ${dates.map((date) => date.toISOString()).join(', ')}`).toBe(true)
          if (fast) accepted++
          else if (library) leftToLibrary++
          else refused++
        }
      }
    }
    // The shortcut is really taken for the real certificates, and both sides of the window are exercised.
    expect(accepted).toBeGreaterThan(40)
    expect(refused).toBeGreaterThan(40)
    // Declining a chain the library accepts only costs time; it is rare (equal times the library calls duplicates).
    expect(leftToLibrary).toBeLessThan(accepted / 10)
    // Every certificate goes through @sigstore/verify several times over: seconds of CPU, more on a shared CI machine.
  }, 120_000)
})
