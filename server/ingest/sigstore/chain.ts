import { createHash, X509Certificate as NodeCertificate } from 'node:crypto'
import { EXTENSION_OID_SCT, X509SCTExtension, type X509Certificate } from '@sigstore/core'
import type { TrustMaterial } from '@sigstore/verify'
// Not in the package's index: the filter @sigstore/verify's SCT check picks the CT logs with.
import { filterTLogAuthorities } from '@sigstore/verify/dist/trust/filter.js'
import { isDeepStrictEqual } from 'node:util'
import { derOf, encodesAs } from './der'
import type { SigstoreTrust } from './trust-material'

/*
 * The certificate chain of a new signing certificate, proven without @sigstore/verify rebuilding it.
 *
 * The library builds every path from the leaf through its trusted CAs each time: it re-encodes every CA
 * certificate to DER to compare them, checks the intermediate's signature by the root and the root's own
 * signature again, and tries each CA in turn. For a Fulcio certificate (new with every signature) that was nine
 * tenths of a bundle's verification. The CA chains do not change within a configuration, so they are proven once
 * here, and a leaf then needs one signature check by the CA that issued it, its validity at each signing time and
 * its SCTs (by the library's own code).
 *
 * This is a fast path only: it answers "the library would accept this chain" or "ask the library". Every case it
 * does not accept outright (an unknown issuer, a signature or date that does not check, an SCT that fails, a
 * certificate whose DER the library would read differently) goes to @sigstore/verify, which gives the verdict and
 * its message exactly as before. So it can only be faster, never more lenient.
 */

type CertAuthority = TrustMaterial['certificateAuthorities'][number]

/** A CA of the trusted roots whose own chain (issuing certificate up to a self-signed root) holds. */
type ProvenAuthority = {
  authority: CertAuthority
  /** The CA certificate that issues leaves, as node reads it. */
  issuing: NodeCertificate
  issuingDer: Buffer
}

const proven = new WeakMap<TrustMaterial, ProvenAuthority[]>()

/** The CAs of a configuration whose chains pass every test the library applies to them; computed once. */
function provenAuthorities(material: TrustMaterial): ProvenAuthority[] {
  const known = proven.get(material)
  if (known) return known
  const list = material.certificateAuthorities.flatMap((authority): ProvenAuthority[] => {
    try {
      const chain = authority.certChain
      const nodes = chain.map((cert) => new NodeCertificate(cert.root.toDER()))
      const last = nodes[nodes.length - 1]
      if (!last || !chain.every((cert, index) => reencodes(cert, nodes[index]?.raw))) return []
      // Each issued by the next, ending in a root that signed itself (the library's path must end there).
      for (let index = 0; index < nodes.length - 1; index++) {
        const child = nodes[index]
        const parent = nodes[index + 1]
        if (!child || !parent || !child.checkIssued(parent) || !child.verify(parent.publicKey)) return []
      }
      if (!last.checkIssued(last) || !last.verify(last.publicKey)) return []
      // Beyond the leaf every certificate is a CA (basic constraints, and keyCertSign when key usage is there),
      // within its path length: the chain certificate at index i sits at depth i + 1 behind the leaf.
      const caOk = chain.every((cert, index) => {
        if (!cert.isCA) return false
        const length = cert.extBasicConstraints?.pathLenConstraint
        return length === undefined || length >= index
      })
      const first = nodes[0]
      return caOk && first ? [{ authority, issuing: first, issuingDer: first.raw }] : []
    } catch {
      return []
    }
  })
  proven.set(material, list)
  return list
}

/** The library verifies over its own re-encoding of the DER; node over the bytes as sent. They must be the same. */
function reencodes(cert: X509Certificate, der: Buffer | undefined): boolean {
  return der !== undefined && encodesAs(cert.root, der)
}

/** SHA-256 of each CA certificate's key as the library encodes it: the issuer id every SCT of its leaves signs. */
const issuerKeyIds = new WeakMap<X509Certificate, Buffer>()

/**
 * The log ids of the leaf's SCTs that verify, as @sigstore/verify's verifySCTs computes them (it throws where one
 * does not, and so does this). The library clones the certificate (re-encode and parse it again) to splice out the
 * SCT extension and re-encodes what is left; here the same bytes are encoded once, leaving the extension out, and
 * the signed structure is built and checked by the library's own SCT code against the logs its own filter picks.
 */
function verifiedScts(leaf: X509Certificate, issuer: X509Certificate, ctlogs: TrustMaterial['ctlogs']): Buffer[] {
  // Like the library, every extension before the SCT one must have an OID (it throws on one that has not).
  const extension = leaf.extensions.find((candidate) => {
    const oid = candidate.subs[0]
    if (!oid) throw new Error('an extension without an OID')
    return oid.toOID() === EXTENSION_OID_SCT
  })
  if (!extension) return []
  const scts = new X509SCTExtension(extension).signedCertificateTimestamps
  if (scts.length === 0) return []
  let issuerId = issuerKeyIds.get(issuer)
  if (!issuerId) issuerKeyIds.set(issuer, (issuerId = createHash('sha256').update(issuer.publicKey).digest()))
  // The leaf re-encodes as read (issuedWithin checked it first): only the path down to the extension is rebuilt.
  const tbs = derOf(leaf.tbsCertificate, extension, true)
  const length = Buffer.alloc(3)
  length.writeUIntBE(tbs.length, 0, 3)
  // RFC 6962 §3.2: issuer_key_hash, then the TBSCertificate without the SCT extension, with a 24-bit length.
  const preCert = Buffer.concat([issuerId, length, tbs])
  return scts.map((sct) => {
    const logs = filterTLogAuthorities(ctlogs, { logID: sct.logID, targetDate: sct.datetime })
    if (!logs.some((log) => sct.verify(preCert, log.publicKey))) throw new Error('SCT verification failed')
    return sct.logID
  })
}

/**
 * True when @sigstore/verify would accept the leaf's chain at every signing time, with the SCTs the configuration
 * requires; false means "not shown here", never "invalid": the caller then asks the library for the verdict.
 */
export function issuedWithin(trust: SigstoreTrust, leaf: { cert: X509Certificate; node: NodeCertificate }, dates: readonly Date[]): boolean {
  if (dates.length === 0) return false
  // The library refuses duplicate timestamps; two equal times are left to it.
  if (new Set(dates.map((date) => date.getTime())).size !== dates.length) return false
  // A self-issued leaf builds a different path in the library; not a case for this shortcut.
  if (leaf.node.checkIssued(leaf.node)) return false
  if (!reencodes(leaf.cert, leaf.node.raw)) return false
  const material = trust.material
  let issuing: ProvenAuthority | undefined
  for (const date of dates) {
    // Like the library, any CA valid at that time whose chain the leaf extends will do.
    const fits = provenAuthorities(material).find(
      (candidate) =>
        candidate.authority.validFor.start <= date &&
        date <= candidate.authority.validFor.end &&
        [leaf.cert, ...candidate.authority.certChain].every((cert) => cert.validForDate(date)) &&
        (issuing?.issuingDer.equals(candidate.issuingDer) || issuedBy(leaf.node, candidate.issuing)),
    )
    if (!fits) return false
    issuing = fits
  }
  if (!issuing) return false
  const issuer = issuing.authority.certChain[0]
  if (!issuer) return false
  try {
    // The SCTs, as the library checks them after building the path (it throws when one fails).
    const scts = verifiedScts(leaf.cert, issuer, material.ctlogs)
    if (scts.some((sct, index) => scts.slice(index + 1).some((other) => isDeepStrictEqual(sct, other)))) return false
    return scts.length >= (trust.ctlogs.length > 0 ? 1 : 0)
  } catch {
    return false
  }
}

function issuedBy(leaf: NodeCertificate, issuer: NodeCertificate): boolean {
  try {
    return leaf.checkIssued(issuer) && leaf.verify(issuer.publicKey)
  } catch {
    return false
  }
}
