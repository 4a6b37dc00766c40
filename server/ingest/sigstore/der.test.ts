import { ASN1Obj, EXTENSION_OID_SCT, X509Certificate } from '@sigstore/core'
import { describe, expect, it } from 'vitest'
import { corpusFiles, describeWithCorpus, jsonValues } from '../../testing/corpus'
import { derOf, parseX509 } from './der'

/** Every base64 string in a JSON value that reads as a DER certificate (bundles' leaves and chains, trusted roots' CAs). */
function certificatesIn(value: unknown, found: Buffer[] = []): Buffer[] {
  if (typeof value === 'string' && value.length > 400 && value.startsWith('MI')) {
    const der = Buffer.from(value, 'base64')
    try {
      X509Certificate.parse(der)
      found.push(der)
    } catch {
      // Not a certificate: some other base64 (a signature, a payload).
    }
  } else if (Array.isArray(value)) for (const item of value) certificatesIn(item, found)
  else if (value !== null && typeof value === 'object') for (const item of Object.values(value)) certificatesIn(item, found)
  return found
}

/** What @sigstore/verify's SCT check signs over: a clone of the certificate, its SCT extension spliced out, re-encoded. */
function libraryPreCertTbs(der: Buffer): Buffer | null {
  const clone = X509Certificate.parse(Buffer.from(der)).clone()
  const index = clone.extensions.findIndex((extension) => extension.subs[0]?.toOID() === EXTENSION_OID_SCT)
  if (index < 0) return null
  clone.extensions.splice(index, 1)
  return clone.tbsCertificate.toDER()
}

describe('derOf', () => {
  it('encodes as the library does where the input was not minimal DER: a long-form length comes back short', () => {
    // SEQUENCE { INTEGER 5 } with the sequence length written in long form (0x81 0x03).
    const loose = Buffer.from([0x30, 0x81, 0x03, 0x02, 0x01, 0x05])
    const node = ASN1Obj.parseBuffer(loose)
    expect(derOf(node)).toEqual(node.toDER())
    expect(derOf(node)).toEqual(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x05]))
  })

  it('encodes a node whose only child is left out from its value, as the library does after splicing it out', () => {
    const sequence = ASN1Obj.parseBuffer(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x05]))
    const child = sequence.subs[0]
    expect(child).toBeDefined()
    if (!child) return
    const spliced = ASN1Obj.parseBuffer(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x05]))
    spliced.subs.splice(0, 1)
    expect(derOf(sequence, child)).toEqual(spliced.toDER())
  })

  it('reads a certificate as the library does, and names what is wrong with one that is not', () => {
    expect(() => parseX509(Buffer.from([0x30, 0x81]))).toThrow(/./)
  })
})

describeWithCorpus('derOf over the corpus certificates', () => {
  it("gives the library's bytes for every certificate, and for every leaf without its SCT extension", () => {
    let certificates = 0
    let withScts = 0
    const seen = new Set<string>()
    for (const file of corpusFiles()) {
      if (!/\.(json|jsonl|sigstore)$/.test(file.name)) continue
      for (const value of jsonValues(file.text)) {
        for (const der of certificatesIn(value)) {
          const key = der.toString('base64')
          if (seen.has(key)) continue
          seen.add(key)
          const cert = parseX509(der)
          expect(derOf(cert.root)).toEqual(cert.root.toDER())
          certificates++
          const sct = cert.extensions.find((extension) => extension.subs[0]?.toOID() === EXTENSION_OID_SCT)
          const library = libraryPreCertTbs(der)
          expect(sct === undefined).toBe(library === null)
          if (!sct || !library) continue
          expect(derOf(cert.tbsCertificate, sct)).toEqual(library)
          withScts++
        }
      }
    }
    expect(certificates).toBeGreaterThan(50)
    expect(withScts).toBeGreaterThan(20)
  }, 120_000)
})
