import { generateKeyPairSync } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { readOutputs } from '../server/demo/own-build'
import { parseEnvelope } from '../server/ingest/dsse'
import { loadPublicKey } from '../server/ingest/keys'
import { projectName, readProvenance } from '../server/ingest/slsa'
import { readStatement } from '../server/ingest/statement'
import { verifyEnvelope } from '../server/ingest/verify'
import type { Lockfile } from './build-facts'
import { BUILD_TYPE, loadSigningKey, makeProvenance, signStatement, verifyBuild, type ProvenanceInput } from './provenance'

const lock: Lockfile = {
  name: 'provenance-dashboard',
  version: '1.0.0',
  lockfileVersion: 3,
  packages: {
    '': { name: 'provenance-dashboard', version: '1.0.0' },
    'node_modules/hono': { version: '4.6.0', integrity: `sha512-${Buffer.alloc(64, 1).toString('base64')}` },
    'node_modules/vite': { version: '8.0.0', integrity: `sha512-${Buffer.alloc(64, 2).toString('base64')}`, dev: true },
  },
}

const commit = 'c'.repeat(40)
const input = (outputs: ProvenanceInput['outputs'], sourceUri = 'provenance-dashboard'): ProvenanceInput => ({
  pkg: { name: 'provenance-dashboard', version: '1.0.0' },
  lock,
  outputs,
  source: { commit, epoch: 1_767_323_045, modified: [] },
  toolchain: { node: 'v20.19.0', npm: '10.8.2', platform: 'linux-x64' },
  sourceUri,
  builderId: 'urn:provenance-dashboard:builder:local:linux-x64',
})

const p256 = () => generateKeyPairSync('ec', { namedCurve: 'P-256' })
const pemOf = (pair: ReturnType<typeof p256>) => pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()

describe('makeProvenance', () => {
  const outputs = [{ name: 'dist/index.html', sha256: 'a'.repeat(64) }]

  it('names every output, the commit, the toolchain and every locked package (dev tools too), and nothing of the run', () => {
    const statement = makeProvenance(input(outputs))
    expect(statement.subject).toEqual([{ name: 'dist/index.html', digest: { sha256: 'a'.repeat(64) } }])
    expect(statement.predicate).toMatchObject({
      buildDefinition: {
        buildType: BUILD_TYPE,
        resolvedDependencies: [
          { uri: `git+provenance-dashboard@${commit}`, digest: { gitCommit: commit } },
          { uri: 'pkg:generic/node@v20.19.0', name: 'node' },
          { uri: 'pkg:npm/npm@10.8.2', name: 'npm' },
          { uri: 'pkg:npm/hono@4.6.0', name: 'node_modules/hono', digest: { sha512: '01'.repeat(64) } },
          { uri: 'pkg:npm/vite@8.0.0', name: 'node_modules/vite', digest: { sha512: '02'.repeat(64) } },
        ],
      },
      runDetails: { builder: { id: 'urn:provenance-dashboard:builder:local:linux-x64', version: { node: 'v20.19.0', npm: '10.8.2' } }, metadata: {} },
    })
    // No clock, host or path: the same input, the same bytes.
    expect(JSON.stringify(makeProvenance(input(outputs)))).toBe(JSON.stringify(statement))
  })

  it("reads, through the dashboard's own reader, as a build of its commit in project provenance-dashboard (or the repository a CI names)", () => {
    const facts = readProvenance(readStatement(makeProvenance(input(outputs)), '$'))
    expect(facts).toMatchObject({ sourceRepo: 'provenance-dashboard', sourceCommit: commit, buildType: BUILD_TYPE, startedAt: null, finishedAt: null })
    expect(projectName(facts?.sourceRepo ?? null, null)).toBe('provenance-dashboard')
    const fromCi = readProvenance(readStatement(makeProvenance(input(outputs, 'https://github.com/acme/dashboard')), '$'))
    expect(projectName(fromCi?.sourceRepo ?? null, null)).toBe('acme/dashboard')
  })
})

describe('signing', () => {
  it('signs with a P-256 PEM into an envelope the dashboard verifies with the public key, and with no other', () => {
    const pair = p256()
    const key = loadSigningKey(pemOf(pair))
    const envelope = signStatement(makeProvenance(input([])), key)
    const publicPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString()
    const trusted = loadPublicKey('release', publicPem)
    expect(key.keyid).toBe(trusted.fingerprint)
    expect(verifyEnvelope(parseEnvelope(envelope), [trusted]).status).toBe('verified')
    const other = loadPublicKey('other', p256().publicKey.export({ type: 'spki', format: 'pem' }).toString())
    expect(verifyEnvelope(parseEnvelope(envelope), [other]).status).not.toBe('verified')
  })

  it('refuses keys it cannot sign with as asked, saying what to use', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
    expect(() => loadSigningKey(rsa)).toThrow('the signing key is rsa; use ECDSA P-256 or Ed25519')
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
    expect(() => loadSigningKey(p384)).toThrow('the signing key is ec on secp384r1; use ECDSA P-256 or Ed25519')
    expect(() => loadSigningKey('not a key')).toThrow(/^the signing key is not a PEM private key/)
  })
})

describe('verifyBuild', () => {
  let root = ''
  afterEach(() => rmSync(root, { recursive: true, force: true }))

  it('names the one output file that changed after signing, while the signature still verifies', () => {
    root = mkdtempSync(join(tmpdir(), 'verify-build-'))
    mkdirSync(join(root, 'dist', 'assets'), { recursive: true })
    writeFileSync(join(root, 'dist', 'index.html'), '<!doctype html>')
    writeFileSync(join(root, 'dist', 'assets', 'app.js'), 'export {}')
    const pair = p256()
    const envelope = signStatement(makeProvenance(input(readOutputs(root))), loadSigningKey(pemOf(pair)))
    const publicPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString()
    expect(verifyBuild(root, envelope, publicPem).comparison.matched).toEqual(['dist/assets/app.js', 'dist/index.html'])

    writeFileSync(join(root, 'dist', 'assets', 'app.js'), 'export const changed = true')
    const result = verifyBuild(root, envelope, publicPem)
    expect(result.signature).toBe('verified')
    expect(result.comparison.matched).toEqual(['dist/index.html'])
    expect(result.comparison.changed.map((file) => file.name)).toEqual(['dist/assets/app.js'])
  })
})
