import { IngestError, isRecord, kindOf } from './errors'

export type DsseSignature = { keyid: string; sig: Buffer; cert: string | null }

export type DsseEnvelope = {
  payloadType: string
  payload: Buffer
  signatures: DsseSignature[]
}

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json'

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/

/** Decodes standard or URL-safe base64, refusing anything else (Buffer.from would silently drop bad characters). */
export function decodeBase64(value: unknown, path: string): Buffer {
  if (typeof value !== 'string') throw new IngestError('invalid-base64', `expected a base64 string, found ${kindOf(value)}`, path)
  const compact = value.replace(/\s+/g, '')
  if (BASE64.test(compact)) return Buffer.from(compact, 'base64')
  if (BASE64URL.test(compact)) return Buffer.from(compact, 'base64url')
  const bad = [...compact].findIndex((char) => !/[A-Za-z0-9+/=_-]/.test(char))
  throw new IngestError(
    'invalid-base64',
    bad >= 0 ? `not valid base64: unexpected character ${JSON.stringify(compact[bad])} at offset ${bad}` : 'not valid base64: bad length or padding',
    path,
  )
}

export function looksLikeDsse(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && 'payload' in value && 'payloadType' in value && 'signatures' in value
}

/** Reads a DSSE envelope (https://github.com/secure-systems-lab/dsse/blob/master/envelope.md). */
export function parseEnvelope(value: unknown): DsseEnvelope {
  if (!isRecord(value)) throw new IngestError('invalid-dsse', `a DSSE envelope is an object, found ${kindOf(value)}`, '$')
  const { payloadType, payload, signatures } = value
  if (typeof payloadType !== 'string') {
    throw new IngestError('invalid-dsse', `payloadType must be a string, found ${kindOf(payloadType)}`, '$.payloadType')
  }
  const decoded = decodeBase64(payload, '$.payload')
  if (!Array.isArray(signatures)) {
    throw new IngestError('invalid-dsse', `signatures must be an array, found ${kindOf(signatures)}`, '$.signatures')
  }
  return {
    payloadType,
    payload: decoded,
    signatures: signatures.map((signature, index) => {
      const path = `$.signatures[${index}]`
      if (!isRecord(signature)) throw new IngestError('invalid-dsse', `a signature is an object, found ${kindOf(signature)}`, path)
      if (signature.keyid !== undefined && typeof signature.keyid !== 'string') {
        throw new IngestError('invalid-dsse', `keyid must be a string, found ${kindOf(signature.keyid)}`, `${path}.keyid`)
      }
      const sig = decodeBase64(signature.sig, `${path}.sig`)
      return {
        keyid: signature.keyid ?? '',
        sig,
        cert: typeof signature.cert === 'string' && signature.cert !== '' ? signature.cert : null,
      }
    }),
  }
}

/** DSSE's pre-authentication encoding: what is actually signed. */
export function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8')
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, 'utf8'),
    type,
    Buffer.from(` ${payload.length} `, 'utf8'),
    payload,
  ])
}
