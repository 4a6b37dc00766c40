import { execFileSync } from 'node:child_process'
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { canonicalJson } from '../ingest/canonical-json'
import { pae } from '../ingest/dsse'

/*
 * A Sigstore instance of our own for tests: a Fulcio-like CA (root and intermediate, made by the openssl command
 * line, as no certificate-making library is a dependency), a Rekor-like log key that signs entry timestamps, and
 * the trusted_root.json that lists both. With it, tests sign keyless cosign signatures and attestations exactly as
 * cosign lays them out in a registry, since the corpus holds no real one to replay.
 */

export type RekorBundle = { SignedEntryTimestamp: string; Payload: { body: string; integratedTime: number; logIndex: number; logID: string } }

export type Identity = {
  /** A URI (a workflow) or an e-mail address. */
  san: string
  /** The OIDC issuer, written to Fulcio's extensions .1.1 and .1.8; null: a plain code-signing certificate. */
  issuer: string | null
}

export type Leaf = { certificatePem: string; privateKey: KeyObject }

export type TestSigstore = {
  /** What trust.trustedRoots points at. */
  trustedRoot: Record<string, unknown>
  /** The intermediate and the root, PEM: cosign's `dev.sigstore.cosign/chain`. */
  chainPem: string
  issue(identity?: Partial<Identity>): Leaf
  /** Logs an entry body and answers cosign's Rekor bundle for it, with a signed entry timestamp by the log key. */
  log(body: Record<string, unknown>): RekorBundle
}

export const WORKFLOW_IDENTITY: Identity = { san: 'https://github.com/acme/web/.github/workflows/release.yml@refs/heads/main', issuer: 'https://token.actions.githubusercontent.com' }

const pemOf = (key: KeyObject) => key.export({ type: 'pkcs8', format: 'pem' }).toString()
const derOfPem = (pem: string) => Buffer.from(pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, ''), 'base64')

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] })
}

const CONFIG = `[req]
distinguished_name = dn
prompt = no
[dn]
O = sigstore.test
[root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[intermediate]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
extendedKeyUsage = codeSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`

/** Fulcio's leaf profile: code signing, the identity as a critical SAN, the issuer in its raw (.1.1) and DER (.1.8) forms. */
function leafSection(identity: Identity): string {
  const san = /^[a-z][a-z0-9+.-]*:\/\//i.test(identity.san) ? `URI:${identity.san}` : `email:${identity.san}`
  const issuer = identity.issuer === null ? [] : [`1.3.6.1.4.1.57264.1.1 = DER:${Buffer.from(identity.issuer).toString('hex')}`, `1.3.6.1.4.1.57264.1.8 = ASN1:UTF8String:${identity.issuer}`]
  return ['[leaf]', 'basicConstraints = critical,CA:FALSE', 'keyUsage = critical,digitalSignature', 'extendedKeyUsage = codeSigning', 'authorityKeyIdentifier = keyid', `subjectAltName = critical,${san}`, ...issuer, ''].join('\n')
}

/** A new instance; `name` tells two instances' CAs apart in what the checks report. */
export function createTestSigstore(name = 'test'): TestSigstore {
  const dir = mkdtempSync(join(tmpdir(), 'sigstore-instance-'))
  try {
    writeFileSync(join(dir, 'ca.cnf'), CONFIG)
    const rootKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
    const intermediateKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
    writeFileSync(join(dir, 'root.key'), pemOf(rootKey))
    writeFileSync(join(dir, 'intermediate.key'), pemOf(intermediateKey))
    openssl(dir, ['req', '-x509', '-new', '-key', 'root.key', '-config', 'ca.cnf', '-extensions', 'root', '-subj', `/O=${name}.sigstore.test/CN=${name}-root`, '-days', '3650', '-out', 'root.pem'])
    openssl(dir, ['req', '-new', '-key', 'intermediate.key', '-config', 'ca.cnf', '-subj', `/O=${name}.sigstore.test/CN=${name}-fulcio-intermediate`, '-out', 'intermediate.csr'])
    openssl(dir, ['x509', '-req', '-in', 'intermediate.csr', '-CA', 'root.pem', '-CAkey', 'root.key', '-set_serial', '1', '-extfile', 'ca.cnf', '-extensions', 'intermediate', '-days', '3650', '-out', 'intermediate.pem'])
    const rootPem = readFileSync(join(dir, 'root.pem'), 'utf8')
    const intermediatePem = readFileSync(join(dir, 'intermediate.pem'), 'utf8')
    const rekor = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const rekorSpki = rekor.publicKey.export({ type: 'spki', format: 'der' })
    const logId = createHash('sha256').update(rekorSpki).digest()
    let logIndex = 1000
    let serial = 2

    const trustedRoot = {
      mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
      tlogs: [{ baseUrl: `https://rekor.${name}.sigstore.test`, hashAlgorithm: 'SHA2_256', publicKey: { rawBytes: rekorSpki.toString('base64'), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start: '2020-01-01T00:00:00Z' } }, logId: { keyId: logId.toString('base64') } }],
      certificateAuthorities: [
        {
          subject: { organization: `${name}.sigstore.test`, commonName: `${name}-fulcio` },
          uri: `https://fulcio.${name}.sigstore.test`,
          certChain: { certificates: [{ rawBytes: derOfPem(intermediatePem).toString('base64') }, { rawBytes: derOfPem(rootPem).toString('base64') }] },
          validFor: { start: '2020-01-01T00:00:00Z' },
        },
      ],
      ctlogs: [],
      timestampAuthorities: [],
    }

    const issue = (identity: Partial<Identity> = {}): Leaf => {
      const leafDir = mkdtempSync(join(tmpdir(), 'sigstore-leaf-'))
      try {
        const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
        writeFileSync(join(leafDir, 'leaf.key'), pemOf(privateKey))
        writeFileSync(join(leafDir, 'leaf.cnf'), `${CONFIG}${leafSection({ ...WORKFLOW_IDENTITY, ...identity })}`)
        writeFileSync(join(leafDir, 'ca.pem'), intermediatePem)
        writeFileSync(join(leafDir, 'ca.key'), pemOf(intermediateKey))
        // Fulcio leaves have an empty subject; the identity is in the SAN.
        openssl(leafDir, ['req', '-new', '-key', 'leaf.key', '-config', 'leaf.cnf', '-subj', '/', '-out', 'leaf.csr'])
        openssl(leafDir, ['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', String(serial++), '-extfile', 'leaf.cnf', '-extensions', 'leaf', '-days', '1', '-out', 'leaf.pem'])
        return { certificatePem: readFileSync(join(leafDir, 'leaf.pem'), 'utf8'), privateKey }
      } finally {
        rmSync(leafDir, { recursive: true, force: true })
      }
    }

    const log = (body: Record<string, unknown>): RekorBundle => {
      const payload = { body: Buffer.from(canonicalJson(body)).toString('base64'), integratedTime: Math.floor(Date.now() / 1000), logIndex: logIndex++, logID: logId.toString('hex') }
      // What Rekor signs: the canonical JSON of exactly these four fields (its SignedEntryTimestamp).
      const set = sign('sha256', Buffer.from(canonicalJson(payload)), rekor.privateKey)
      return { SignedEntryTimestamp: set.toString('base64'), Payload: payload }
    }

    return { trustedRoot, chainPem: `${intermediatePem}${rootPem}`, issue, log }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * cosign's `.sig` layer annotations for a keyless signature over `payload`, logged as hashedrekord 0.0.1 by
 * `sigstore`'s log. `leaf` and `chainPem` default to a certificate of `sigstore`'s CA; another instance's certificate
 * logged here is a signature a trusted log holds by a signer no trusted CA vouches for.
 */
export function keylessSignatureAnnotations(sigstore: TestSigstore, payload: Buffer, leaf: Leaf = sigstore.issue(), chainPem = sigstore.chainPem): Record<string, string> {
  const signature = sign('sha256', payload, leaf.privateKey)
  const body = {
    apiVersion: '0.0.1',
    kind: 'hashedrekord',
    spec: {
      data: { hash: { algorithm: 'sha256', value: createHash('sha256').update(payload).digest('hex') } },
      signature: { content: signature.toString('base64'), publicKey: { content: Buffer.from(leaf.certificatePem).toString('base64') } },
    },
  }
  return {
    'dev.cosignproject.cosign/signature': signature.toString('base64'),
    'dev.sigstore.cosign/certificate': leaf.certificatePem,
    'dev.sigstore.cosign/chain': chainPem,
    'dev.sigstore.cosign/bundle': JSON.stringify(sigstore.log(body)),
  }
}

/**
 * An `.att` layer for a keyless `cosign attest`: the DSSE envelope over `statement`, and the annotations (the
 * signature annotation empty, as cosign writes it for attestations), logged as intoto 0.0.2.
 */
export function keylessAttestationLayer(sigstore: TestSigstore, statement: unknown, leaf: Leaf = sigstore.issue()): { envelope: Buffer; annotations: Record<string, string> } {
  const payloadType = 'application/vnd.in-toto+json'
  const payload = Buffer.from(JSON.stringify(statement))
  const signature = sign('sha256', pae(payloadType, payload), leaf.privateKey)
  const envelope = { payloadType, payload: payload.toString('base64'), signatures: [{ keyid: '', sig: signature.toString('base64') }] }
  const certificate = Buffer.from(leaf.certificatePem).toString('base64')
  const body = {
    apiVersion: '0.0.2',
    kind: 'intoto',
    spec: {
      content: {
        envelope: { payloadType, signatures: [{ publicKey: certificate, sig: Buffer.from(signature.toString('base64')).toString('base64') }] },
        hash: { algorithm: 'sha256', value: createHash('sha256').update(JSON.stringify(envelope)).digest('hex') },
        payloadHash: { algorithm: 'sha256', value: createHash('sha256').update(payload).digest('hex') },
      },
    },
  }
  return {
    envelope: Buffer.from(JSON.stringify(envelope)),
    annotations: {
      'dev.cosignproject.cosign/signature': '',
      'dev.sigstore.cosign/certificate': leaf.certificatePem,
      'dev.sigstore.cosign/chain': sigstore.chainPem,
      'dev.sigstore.cosign/bundle': JSON.stringify(sigstore.log(body)),
      predicateType: 'https://slsa.dev/provenance/v1',
    },
  }
}
