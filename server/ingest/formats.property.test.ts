import fc from 'fast-check'
import { jsonMutation } from '../testing/mutation'
import { describe, expect, it } from 'vitest'
import { signEnvelope } from '../demo/seed'
import { newKey, slsaV1Statement } from '../testing/documents'
import {
  cyclonedx16,
  diffoscopeReport,
  linkSigned,
  newLinkKey,
  REBUILD_TYPE,
  rebuildPredicate,
  signLink,
  spdx23,
  spdx3,
  statement,
  vsaV02Predicate,
} from '../testing/format-documents'
import { IngestError } from './errors'
import { formats } from './formats'
import { prepareDocument } from './ingest'
import { loadPublicKey } from './keys'

const ed = newKey('prop-formats', 'ed25519')
const linkKey = newLinkKey('prop-link', 'ed25519')
const context = { keys: [loadPublicKey(ed.id, ed.publicKeyPem), loadPublicKey(linkKey.id, linkKey.publicKeyPem)], now: Date.now }

/** Runs the reader; a result or an IngestError are the only acceptable endings. */
function outcome(document: unknown): 'ok' | 'ingest-error' {
  try {
    // A mutation may remove the whole document: that is an empty body.
    prepareDocument(Buffer.from(JSON.stringify(document) ?? ''), context)
    return 'ok'
  } catch (error) {
    if (error instanceof IngestError) return 'ingest-error'
    throw error
  }
}


const diffoscope = diffoscopeReport()
/** One valid document of every format, bare and in envelopes, so mutations reach every reader's corners. */
const valid: Record<string, unknown> = {
  'bare statement': slsaV1Statement(),
  'in-toto link': signLink(linkSigned(), linkKey),
  'rebuilderd link': signLink(linkSigned({ name: 'rebuild app.deb', environment: null }), linkKey),
  'link in DSSE': signEnvelope(linkSigned({ name: 'rebuild app.deb' }), ed),
  'CycloneDX 1.6': cyclonedx16(),
  'CycloneDX 1.2 tools array': cyclonedx16({ specVersion: '1.2', metadata: { tools: [{ vendor: 'CycloneDX', name: 'Node.js module', version: '2.0.0' }] } }),
  'SPDX 2.3': spdx23(),
  'SPDX 3': spdx3(),
  'CycloneDX predicate': statement('https://cyclonedx.org/bom/v1.6', cyclonedx16()),
  'SPDX predicate': statement('https://spdx.dev/Document', { Data: JSON.stringify(spdx23()) }),
  'VSA v0.2': statement('https://slsa.dev/verification_summary/v0.2', vsaV02Predicate()),
  'VSA v1': statement('https://slsa.dev/verification_summary/v1', { ...vsaV02Predicate(), verifiedLevels: ['SLSA_BUILD_LEVEL_3'] }),
  'rebuild predicate': statement(REBUILD_TYPE, rebuildPredicate({ diffoscope })),
  diffoscope,
}

describe('the new format readers under arbitrary and mutated input', () => {
  it.each(Object.entries(valid))('reads the valid %s', (_name, document) => {
    expect(outcome(document)).toBe('ok')
  })

  it.each(Object.entries(valid))('throw nothing but IngestError for %s with any part replaced by any JSON value', (_name, document) => {
    fc.assert(
      fc.property(jsonMutation(document), (mutated) => {
        void outcome(mutated)
      }),
      { numRuns: 300 },
    )
  })

  it('throw nothing but IngestError for arbitrary objects carrying each format\'s marker', () => {
    const markers: Record<string, unknown>[] = [
      { bomFormat: 'CycloneDX' },
      { spdxVersion: 'SPDX-2.3' },
      { '@context': 'https://spdx.org/rdf/3.0.1/spdx-context.jsonld' },
      { 'diffoscope-json-version': 1 },
      { _type: 'https://in-toto.io/Statement/v1' },
      { signed: { _type: 'link' }, signatures: [] },
    ]
    fc.assert(
      fc.property(fc.constantFrom(...markers), fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })), fc.jsonValue({ maxDepth: 3 }), (marker, rest, predicate) => {
        // Each handler is exercised directly too, since detection order might otherwise hide one behind another.
        const document = { ...rest, ...marker }
        const handler = formats.find((format) => format.detect(document))
        expect(handler).toBeDefined()
        try {
          handler?.read(document, context)
        } catch (error) {
          if (!(error instanceof IngestError)) throw error
        }
        void outcome({ ...document, predicateType: REBUILD_TYPE, predicate })
      }),
      { numRuns: 1000 },
    )
  })

  it('read statements whose predicate is arbitrary, under every predicate type we know, without escaping', () => {
    const types = [
      'https://cyclonedx.org/bom',
      'https://spdx.dev/Document/v2.3',
      'https://slsa.dev/verification_summary/v1',
      'https://slsa.dev/verification_summary/v0.2',
      REBUILD_TYPE,
    ]
    fc.assert(
      fc.property(fc.constantFrom(...types), fc.jsonValue({ maxDepth: 4 }), fc.boolean(), (predicateType, predicate, signed) => {
        const document = statement(predicateType, predicate)
        void outcome(signed ? signEnvelope(document, ed) : document)
      }),
      { numRuns: 1000 },
    )
  })
})
