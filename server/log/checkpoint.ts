import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Checkpoints in the C2SP signed-note form that Rekor and Go's sumdb use:
 *
 *   <origin>\n<tree size>\n<base64 root hash>\n\n— <key name> <base64(key hash ‖ Ed25519 signature)>\n
 *
 * so that an auditor can check one with standard tools, offline, against the public key we publish.
 */
export type LogKey = { name: string; privateKey: KeyObject; publicKey: KeyObject; publicKeyPem: string; keyHash: Buffer }

export type Checkpoint = { origin: string; size: number; rootHash: Buffer; note: string }

function rawEd25519(publicKey: KeyObject): Buffer {
  // The last 32 bytes of an Ed25519 SubjectPublicKeyInfo are the key itself.
  return publicKey.export({ type: 'spki', format: 'der' }).subarray(-32)
}

/** What checking a checkpoint needs: the log's name and public key. Auditors build it from the published PEM. */
export function verifierKey(name: string, publicKey: KeyObject): Pick<LogKey, 'name' | 'publicKey' | 'keyHash'> {
  // Note key hash: SHA-256(name ‖ "\n" ‖ 0x01 (Ed25519) ‖ public key), first four bytes.
  const keyHash = createHash('sha256')
    .update(Buffer.concat([Buffer.from(`${name}\n`), Buffer.from([0x01]), rawEd25519(publicKey)]))
    .digest()
    .subarray(0, 4)
  return { name, publicKey, keyHash }
}

export function logKeyFrom(name: string, privateKey: KeyObject): LogKey {
  const publicKey = createPublicKey(privateKey)
  return { ...verifierKey(name, publicKey), privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() }
}

/** The server's log key: generated on first start and kept in DATA_DIR, readable only by its owner. */
export function loadOrCreateLogKey(dataDir: string): LogKey {
  const path = join(dataDir, 'log-signing-key.pem')
  if (!existsSync(path)) {
    mkdirSync(dataDir, { recursive: true })
    const { privateKey } = generateKeyPairSync('ed25519')
    writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' })
  }
  return readLogKey(path)
}

/**
 * A log key kept elsewhere (`LOG_KEY_FILE`): several servers on one database share it, so it is read and never
 * generated; a missing or unreadable file stops the server with what to do.
 */
export function readLogKey(path: string): LogKey {
  let privateKey: KeyObject
  try {
    privateKey = createPrivateKey(readFileSync(path))
  } catch (error) {
    throw new Error(
      `cannot read the log signing key ${path}: ${error instanceof Error ? error.message : String(error)}. ` +
        'It must be an Ed25519 private key in PEM (openssl genpkey -algorithm ed25519 -out log-signing-key.pem)',
      { cause: error },
    )
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new Error(`the log signing key ${path} is a ${privateKey.asymmetricKeyType ?? 'unknown'} key; checkpoints are signed with Ed25519 (openssl genpkey -algorithm ed25519)`)
  }
  return logKeyFrom(logName(createPublicKey(privateKey)), privateKey)
}

/** The origin line of a server's checkpoints: it names the log uniquely, since the same key always gives the same name. */
export function logName(publicKey: KeyObject): string {
  const fingerprint = createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex')
  return `provenance-dashboard/${fingerprint.slice(0, 16)}`
}

export function signCheckpoint(key: LogKey, size: number, rootHash: Buffer): Checkpoint {
  const body = `${key.name}\n${size}\n${rootHash.toString('base64')}\n`
  const signature = sign(null, Buffer.from(body), key.privateKey)
  const note = `${body}\n\u2014 ${key.name} ${Buffer.concat([key.keyHash, signature]).toString('base64')}\n`
  return { origin: key.name, size, rootHash, note }
}

/** Reads and checks a signed checkpoint; null when the signature or the form is wrong. */
export function openCheckpoint(note: string, key: Pick<LogKey, 'name' | 'publicKey' | 'keyHash'>): { size: number; rootHash: Buffer } | null {
  const split = note.indexOf('\n\n')
  if (split < 0) return null
  const body = note.slice(0, split + 1)
  const [origin, sizeText, rootText] = body.split('\n')
  const signatureLine = note.slice(split + 2).split('\n').find((line) => line.startsWith(`\u2014 ${key.name} `))
  if (!signatureLine || origin !== key.name || !sizeText || !rootText || !/^\d+$/.test(sizeText)) return null
  const blob = Buffer.from(signatureLine.slice(`\u2014 ${key.name} `.length), 'base64')
  if (blob.length !== 68 || !blob.subarray(0, 4).equals(key.keyHash)) return null
  if (!verify(null, Buffer.from(body), key.publicKey, blob.subarray(4))) return null
  return { size: Number(sizeText), rootHash: Buffer.from(rootText, 'base64') }
}
