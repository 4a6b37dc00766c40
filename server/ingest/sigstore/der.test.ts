import { ASN1Obj, EXTENSION_OID_SCT, X509Certificate } from '@sigstore/core'
import { describe, expect, it } from 'vitest'
import { corpusFiles, describeWithCorpus, jsonValues } from '../../testing/corpus'
import { extensionValues } from './certificate'
import { derOf, encodesAs, parseX509 } from './der'

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

  it('says whether a tree re-encodes to the bytes it was read from, as comparing the encoding would', () => {
    const cases = [
      [0x30, 0x03, 0x02, 0x01, 0x05],
      // A long-form length where the short one fits: outer, then inner.
      [0x30, 0x81, 0x03, 0x02, 0x01, 0x05],
      [0x30, 0x04, 0x02, 0x81, 0x01, 0x05],
      // Bytes after the root.
      [0x30, 0x03, 0x02, 0x01, 0x05, 0x00],
      // An OCTET STRING read as nested DER, with a loose length inside it.
      [0x04, 0x05, 0x30, 0x81, 0x02, 0x05, 0x00],
      [0x04, 0x04, 0x30, 0x02, 0x05, 0x00],
      // A length of 200 in its shortest form (0x81 0xc8), and in a longer one (0x82 0x00 0xc8).
      [0x04, 0x81, 0xc8, ...new Array<number>(200).fill(0xff)],
      [0x04, 0x82, 0x00, 0xc8, ...new Array<number>(200).fill(0xff)],
      // An empty constructed value.
      [0x30, 0x00],
    ].map((bytes) => Buffer.from(bytes))
    const verdicts = cases.map((der) => {
      const node = ASN1Obj.parseBuffer(Buffer.from(der))
      const exact = encodesAs(node, der)
      expect(exact).toBe(node.toDER().equals(der))
      return exact
    })
    expect(verdicts).toEqual([true, false, false, false, false, true, true, false, true])
  })

  it('reads a certificate as the library does, and names what is wrong with one that is not', () => {
    expect(() => parseX509(Buffer.from([0x30, 0x81]))).toThrow(/./)
  })
})

describeWithCorpus('derOf, encodesAs and extensionValues over the corpus certificates', () => {
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
          expect(encodesAs(cert.root, der)).toBe(cert.root.toDER().equals(der))
          // The extensions read once give what the library's lookup gives, for those present and Fulcio's absent ones.
          const values = extensionValues(cert)
          const oids = [...cert.extensions.map((extension) => extension.subs[0]?.toOID() ?? ''), ...Array.from({ length: 22 }, (_, index) => `1.3.6.1.4.1.57264.1.${index + 1}`)]
          for (const oid of oids) expect(values(oid)).toEqual(cert.extension(oid)?.value)
          certificates++
          const sct = cert.extensions.find((extension) => extension.subs[0]?.toOID() === EXTENSION_OID_SCT)
          const library = libraryPreCertTbs(der)
          expect(sct === undefined).toBe(library === null)
          if (!sct || !library) continue
          expect(derOf(cert.tbsCertificate, sct)).toEqual(library)
          if (encodesAs(cert.root, der)) expect(derOf(cert.tbsCertificate, sct, true)).toEqual(library)
          withScts++
        }
      }
    }
    expect(certificates).toBeGreaterThan(50)
    expect(withScts).toBeGreaterThan(20)
  }, 120_000)
})
