import { execFileSync } from 'node:child_process'
import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/*
 * An RFC 3161 timestamp authority of our own for tests: a root and a time-stamping certificate (critical
 * extended key usage timeStamping) made by the openssl command line, and real TimeStampResp tokens from
 * `openssl ts -reply`, as a TSA answers cosign's `--timestamp-server-url`. Its entry goes in a trusted root's
 * `timestampAuthorities`, leaf first, as Sigstore's trusted_root.json lists one.
 */

export type TestTimestampAuthority = {
  /** The trusted_root.json entry naming this authority. */
  entry: Record<string, unknown>
  /** The DER TimeStampResp over the SHA-256 of `data`. */
  stamp(data: Buffer): Buffer
}

const CONFIG = `[req]
distinguished_name = dn
prompt = no
[dn]
O = tsa.test
[root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[tsa]
default_tsa = tsa_config
[tsa_config]
serial = tsaserial
signer_digest = sha256
default_policy = 1.3.6.1.4.1.57264.2
digests = sha256
ess_cert_id_alg = sha256
ess_cert_id_chain = no
accuracy = secs:1
ordering = no
tsa_name = no
`

const pemOf = (key: KeyObject) => key.export({ type: 'pkcs8', format: 'pem' }).toString()
const derOfPem = (pem: string) => Buffer.from(pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, ''), 'base64')

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] })
}

/** A new authority; `name` tells two apart in what the checks report. */
export function createTestTimestampAuthority(name = 'test'): TestTimestampAuthority {
  const dir = mkdtempSync(join(tmpdir(), 'timestamp-authority-'))
  try {
    writeFileSync(join(dir, 'tsa.cnf'), CONFIG)
    writeFileSync(join(dir, 'root.key'), pemOf(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey))
    const signingKey = pemOf(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey)
    writeFileSync(join(dir, 'tsa.key'), signingKey)
    openssl(dir, ['req', '-x509', '-new', '-key', 'root.key', '-config', 'tsa.cnf', '-extensions', 'root', '-subj', `/O=${name}.tsa.test/CN=${name}-tsa-root`, '-days', '3650', '-out', 'root.pem'])
    openssl(dir, ['req', '-new', '-key', 'tsa.key', '-config', 'tsa.cnf', '-subj', `/O=${name}.tsa.test/CN=${name}-tsa`, '-out', 'tsa.csr'])
    openssl(dir, ['x509', '-req', '-in', 'tsa.csr', '-CA', 'root.pem', '-CAkey', 'root.key', '-set_serial', '7', '-extfile', 'tsa.cnf', '-extensions', 'leaf', '-days', '3650', '-out', 'tsa.pem'])
    const rootPem = readFileSync(join(dir, 'root.pem'), 'utf8')
    const leafPem = readFileSync(join(dir, 'tsa.pem'), 'utf8')
    const entry = {
      subject: { organization: `${name}.tsa.test`, commonName: `${name}-tsa` },
      uri: `https://tsa.${name}.sigstore.test`,
      certChain: { certificates: [{ rawBytes: derOfPem(leafPem).toString('base64') }, { rawBytes: derOfPem(rootPem).toString('base64') }] },
      validFor: { start: '2020-01-01T00:00:00Z' },
    }
    let serial = 1
    const stamp = (data: Buffer): Buffer => {
      const stampDir = mkdtempSync(join(tmpdir(), 'timestamp-'))
      try {
        writeFileSync(join(stampDir, 'tsa.cnf'), CONFIG)
        writeFileSync(join(stampDir, 'tsa.key'), signingKey)
        writeFileSync(join(stampDir, 'tsa.pem'), leafPem)
        writeFileSync(join(stampDir, 'tsaserial'), `${(serial++).toString(16).padStart(2, '0')}\n`)
        writeFileSync(join(stampDir, 'data'), data)
        openssl(stampDir, ['ts', '-query', '-data', 'data', '-sha256', '-cert', '-out', 'request.tsq'])
        openssl(stampDir, ['ts', '-reply', '-queryfile', 'request.tsq', '-inkey', 'tsa.key', '-signer', 'tsa.pem', '-config', 'tsa.cnf', '-out', 'response.tsr'])
        return readFileSync(join(stampDir, 'response.tsr'))
      } finally {
        rmSync(stampDir, { recursive: true, force: true })
      }
    }
    return { entry, stamp }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** A trusted root that lists `authority` beside what it lists already. */
export function withTimestampAuthority(trustedRoot: Record<string, unknown>, authority: TestTimestampAuthority): Record<string, unknown> {
  const listed = Array.isArray(trustedRoot.timestampAuthorities) ? trustedRoot.timestampAuthorities : []
  return { ...trustedRoot, timestampAuthorities: [...listed, authority.entry] }
}
