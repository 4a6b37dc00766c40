import { looksLikeDsse, parseEnvelope } from './dsse'
import type { FormatHandler } from './format'
import { parseStatement } from './statement'
import { verifyEnvelope } from './verify'

export const dsseFormat: FormatHandler = {
  name: 'dsse',
  label: 'a DSSE envelope',
  detect: looksLikeDsse,
  read(value, context) {
    const envelope = parseEnvelope(value)
    return {
      format: 'dsse',
      payloadType: envelope.payloadType,
      statement: parseStatement(envelope.payload),
      verification: verifyEnvelope(envelope, context.keys),
    }
  },
}
