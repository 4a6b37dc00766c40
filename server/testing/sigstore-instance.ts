import { execFileSync } from 'node:child_process'
import { createHash, generateKeyPairSync, sign, X509Certificate as NodeCertificate, type KeyObject } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { X509Certificate } from '@sigstore/core'
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

/** With a CT log: `none` issues without an SCT, `tampered` with one whose signature does not verify. */
export type IssueOptions = { sct?: 'none' | 'tampered' }

export type TestSigstore = {
  /** What trust.trustedRoots points at. */
  trustedRoot: Record<string, unknown>
  /** The intermediate and the root, PEM: cosign's `dev.sigstore.cosign/chain`. */
  chainPem: string
  issue(identity?: Partial<Identity>, options?: IssueOptions): Leaf
  /** Logs an entry body and answers cosign's Rekor bundle for it, with a signed entry timestamp by the log key. */
  log(body: Record<string, unknown>): RekorBundle
}

export const WORKFLOW_IDENTITY: Identity = { san: 'https://github.com/acme/web/.github/workflows/release.yml@refs/heads/main', issuer: 'https://token.actions.githubusercontent.com' }

const pemOf = (key: KeyObject) => key.export({ type: 'pkcs8', format: 'pem' }).toString()
const derOfPem = (pem: string) => Buffer.from(pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, ''), 'base64')

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] })
}

const u16 = (value: number) => {
  const out = Buffer.alloc(2)
  out.writeUInt16BE(value)
  return out
}
const derLength = (length: number) => (length < 0x80 ? Buffer.from([length]) : Buffer.from([0x81, length]))
const asn1Time = (date: Date) => `${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`

/** `openssl ca` over the instance's intermediate, with a database of its own per leaf. */
const CA_SECTION = `[ca]
default_ca = fulcio
[fulcio]
database = index.txt
new_certs_dir = .
certificate = ca.pem
private_key = ca.key
serial = serial
default_md = sha256
policy = anything
unique_subject = no
email_in_dn = no
[anything]
commonName = optional
`

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

/**
 * A new instance; `name` tells two instances' CAs apart in what the checks report. With `ctLog`, the trusted root
 * lists a CT log too, and certificates carry its SCT (so the verifier requires one).
 */
export function createTestSigstore(name = 'test', { ctLog: withCtLog = false }: { ctLog?: boolean } = {}): TestSigstore {
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
    const ctKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const ctSpki = ctKeys.publicKey.export({ type: 'spki', format: 'der' })
    const ct = withCtLog ? { privateKey: ctKeys.privateKey, logId: createHash('sha256').update(ctSpki).digest() } : null
    const issuerKeyHash = createHash('sha256').update(new NodeCertificate(intermediatePem).publicKey.export({ type: 'spki', format: 'der' })).digest()

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
      ctlogs: ct === null ? [] : [{ baseUrl: `https://ctfe.${name}.sigstore.test`, hashAlgorithm: 'SHA2_256', publicKey: { rawBytes: ctSpki.toString('base64'), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start: '2020-01-01T00:00:00Z' } }, logId: { keyId: ct.logId.toString('base64') } }],
      timestampAuthorities: [],
    }

    const issue = (identity: Partial<Identity> = {}, options: IssueOptions = {}): Leaf => {
      const leafDir = mkdtempSync(join(tmpdir(), 'sigstore-leaf-'))
      try {
        const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
        const section = leafSection({ ...WORKFLOW_IDENTITY, ...identity })
        writeFileSync(join(leafDir, 'leaf.key'), pemOf(privateKey))
        writeFileSync(join(leafDir, 'ca.pem'), intermediatePem)
        writeFileSync(join(leafDir, 'ca.key'), pemOf(intermediateKey))
        writeFileSync(join(leafDir, 'leaf.cnf'), `${CONFIG}${CA_SECTION}${section}`)
        // Fulcio leaves have an empty subject; the identity is in the SAN.
        openssl(leafDir, ['req', '-new', '-key', 'leaf.key', '-config', 'leaf.cnf', '-subj', '/', '-out', 'leaf.csr'])
        const start = new Date(Math.floor(Date.now() / 1000) * 1000 - 1000)
        const serialHex = (serial++).toString(16).padStart(2, '0')
        // `openssl ca` takes the validity dates, so a certificate can be issued twice with the same fields.
        const certify = (extensions: string) => {
          writeFileSync(join(leafDir, 'index.txt'), '')
          writeFileSync(join(leafDir, 'serial'), `${serialHex}\n`)
          openssl(leafDir, ['ca', '-batch', '-config', 'leaf.cnf', '-extensions', extensions, '-startdate', asn1Time(start), '-enddate', asn1Time(new Date(start.getTime() + 86_400_000)), '-in', 'leaf.csr', '-out', 'leaf.pem', '-notext'])
          return readFileSync(join(leafDir, 'leaf.pem'), 'utf8')
        }
        const precertificate = certify('leaf')
        if (ct === null || options.sct === 'none') return { certificatePem: precertificate, privateKey }
        // Fulcio's flow: the CT log signs the certificate without the SCT extension (RFC 6962 §3.2, precert_entry),
        // and the SCT is then embedded in the certificate issued with the same fields.
        const tbs = X509Certificate.parse(derOfPem(precertificate)).tbsCertificate.toDER()
        const timestamp = Buffer.alloc(8)
        timestamp.writeBigUInt64BE(BigInt(Date.now()))
        const tbsLength = Buffer.alloc(3)
        tbsLength.writeUIntBE(tbs.length, 0, 3)
        const signed = Buffer.concat([Buffer.from([0, 0]), timestamp, Buffer.from([0, 1]), issuerKeyHash, tbsLength, tbs, Buffer.from([0, 0])])
        const signature = sign('sha256', signed, ct.privateKey)
        if (options.sct === 'tampered') signature[signature.length - 3] = (signature[signature.length - 3] ?? 0) ^ 1
        const sct = Buffer.concat([Buffer.from([0]), ct.logId, timestamp, Buffer.from([0, 0, 4, 3]), u16(signature.length), signature])
        const list = Buffer.concat([u16(sct.length + 2), u16(sct.length), sct])
        writeFileSync(join(leafDir, 'leaf.cnf'), `${CONFIG}${CA_SECTION}${section}${section.replace('[leaf]', '[leafsct]')}1.3.6.1.4.1.11129.2.4.2 = DER:${Buffer.concat([Buffer.from([0x04]), derLength(list.length), list]).toString('hex')}\n`)
        return { certificatePem: certify('leafsct'), privateKey }
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
