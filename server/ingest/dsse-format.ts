import type { LinkRecord } from '../documents/records'
import { looksLikeDsse, readEnvelope } from './dsse'
import { isRecord } from './errors'
import type { FormatHandler } from './format'
import { isLinkType, readLink, rebuildsFromLink, signerOf } from './link'
import { readStatementExtras } from './predicates'
import { parseStatement } from './statement'
import { FIELDS_IGNORED, verifyEnvelope, withTolerated } from './verify'

/** The payload as an in-toto v0.9 link, or null when it is not one (then it is read as a Statement). */
function linkPayload(payload: Buffer, keyids: string[]): LinkRecord | null {
  const text = payload.toString('utf8')
  // A cheap look before parsing, since almost every payload is a Statement and is parsed again as one.
  if (!/"_type"\s*:\s*"[Ll]ink"/.test(text)) return null
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return null
  }
  return isRecord(value) && isLinkType(value._type) ? readLink(value, '$.payload', keyids) : null
}

export const dsseFormat: FormatHandler = {
  name: 'dsse',
  label: 'a DSSE envelope',
  detect: looksLikeDsse,
  read(value, context) {
    const { envelope, tolerated } = readEnvelope(value)
    const verified = verifyEnvelope(envelope, context.keys)
    // in-toto's DSSE mode signs a v0.9 link as the payload itself; everything else is a Statement.
    const link = linkPayload(envelope.payload, envelope.signatures.map((signature) => signature.keyid))
    if (link !== null) {
      const rebuilds = rebuildsFromLink(link, signerOf(verified))
      return {
        format: 'dsse',
        payloadType: envelope.payloadType,
        statement: null,
        verification: withTolerated(verified, FIELDS_IGNORED, tolerated),
        extras: { link, ...(rebuilds.length > 0 ? { rebuilds } : {}) },
      }
    }
    const statement = parseStatement(envelope.payload)
    const { extras, tolerated: inPredicate } = readStatementExtras(statement, '$.payload')
    return {
      format: 'dsse',
      payloadType: envelope.payloadType,
      statement,
      verification: withTolerated(verified, FIELDS_IGNORED, [...tolerated, ...inPredicate]),
      ...(extras ? { extras } : {}),
    }
  },
}
