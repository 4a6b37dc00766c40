import { createECDH, createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'

export type DemoKey = { id: string; algorithm: 'ed25519' | 'ecdsa-p256'; privateKey: KeyObject; publicKeyPem: string }

const seedBytes = (label: string) => createHash('sha256').update(`provenance-dashboard demo key: ${label}`).digest()

/** An Ed25519 key from a label: PKCS#8 is a fixed 16-byte prefix followed by the 32-byte seed. */
export function ed25519(id: string): DemoKey {
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seedBytes(id)])
  const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
  return { id, algorithm: 'ed25519', privateKey, publicKeyPem: pem(privateKey) }
}

/** A P-256 key from a label, so that the demo trusts the same public key on every machine. */
function p256(id: string): DemoKey {
  const d = seedBytes(id)
  const ecdh = createECDH('prime256v1')
  ecdh.setPrivateKey(d)
  const point = ecdh.getPublicKey()
  const jwk = { kty: 'EC', crv: 'P-256', d: d.toString('base64url'), x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') }
  const privateKey = createPrivateKey({ key: jwk, format: 'jwk' })
  return { id, algorithm: 'ecdsa-p256', privateKey, publicKeyPem: pem(privateKey) }
}

function pem(privateKey: KeyObject): string {
  return createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString()
}

/** The keys the demo config trusts, and one it does not (for the "unknown signer" documents). */
export function demoKeys() {
  return {
    ed25519: ed25519('demo-release-ed25519'),
    ecdsa: p256('demo-release-p256'),
    rogue: ed25519('rogue-unknown-ed25519'),
  }
}
