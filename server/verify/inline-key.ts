import { VerificationError } from '@sigstore/verify'
import type { IngestContext } from '../ingest/format'
import { loadPublicKey, type TrustedKey } from '../ingest/keys'
import { findKey, keyValidAt } from '../ingest/sigstore/trust-material'

/**
 * A public key the asker sends with the document (POST /api/v1/verify?key=PEM, as the CLI's --key): trusted for
 * this one verification only, beside the configured keys, for DSSE envelopes and for Sigstore bundles that name a
 * key by hint. Its id is its fingerprint, so it can never pass for a configured key of the same name.
 */
export function inlineKey(pem: string): TrustedKey {
  const probe = loadPublicKey('inline', pem)
  return { ...probe, id: `request-key:${probe.fingerprint.slice(0, 16)}` }
}

export function withInlineKey(context: IngestContext, key: TrustedKey): IngestContext {
  const keys = [...context.keys, key]
  if (context.sigstore === undefined) return { ...context, keys }
  const sigstoreKeys = [...context.sigstore.keys, key]
  return {
    ...context,
    keys,
    sigstore: {
      ...context.sigstore,
      keys: sigstoreKeys,
      material: {
        ...context.sigstore.material,
        // As loadSigstoreTrust answers a hint, over the configured keys and this one.
        publicKey: (hint) => {
          const found = findKey(sigstoreKeys, hint)
          if (!found) throw new VerificationError({ code: 'PUBLIC_KEY_ERROR', message: `key not found: ${hint}` })
          return { publicKey: found.key, validFor: (date) => keyValidAt(found, date) }
        },
      },
    },
  }
}
