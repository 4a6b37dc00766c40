// `npm run provenance`: an in-toto Statement v1 with SLSA provenance v1 for the build in dist/, signed into a DSSE
// envelope; `npm run provenance -- verify` checks dist/ against one. See `--help`.
import { execFileSync } from 'node:child_process'
import { createHash, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { attestationFiles, compareOutputs, describeComparison, manifestText, outputsMatch, type OutputComparison, type OutputFile } from '../domain/build-outputs'
import { ownBuildKey, OWN_BUILD_KEY_ID, readOutputs } from '../server/demo/own-build'
import { IN_TOTO_PAYLOAD_TYPE, pae, parseEnvelope } from '../server/ingest/dsse'
import { loadPublicKey } from '../server/ingest/keys'
import { verifyEnvelope } from '../server/ingest/verify'
import { integrityDigest, lockedPackages, npmPurl, readLockfile, readPackageJson, readSource, type Lockfile, type SourceFacts } from './build-facts'
import { jsonFile, sbomOfBuild, type CycloneDxBom } from './sbom'

export const STATEMENT_V1 = 'https://in-toto.io/Statement/v1'
export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1'
export const CYCLONEDX_PREDICATE = 'https://cyclonedx.org/bom'
/** What `npm run build` does, described in README.md (Reproducible build). */
export const BUILD_TYPE = 'urn:provenance-dashboard:build-type:npm-run-build:v1'

type ResourceDescriptor = { uri: string; name?: string; digest?: Record<string, string> }

export type Statement = {
  _type: typeof STATEMENT_V1
  subject: { name: string; digest: { sha256: string } }[]
  predicateType: string
  predicate: unknown
}

export type Toolchain = { node: string; npm: string | null; platform: string }

export type ProvenanceInput = {
  pkg: { name: string; version: string }
  lock: Lockfile
  outputs: readonly OutputFile[]
  source: SourceFacts
  toolchain: Toolchain
  /** Where the source lives: PROVENANCE_SOURCE_URI (a CI sets its repository URL), else the package name. */
  sourceUri: string
  /** Who ran the build: PROVENANCE_BUILDER_ID (a CI names its workflow), else a local build on this platform. */
  builderId: string
}

/** Every output file as a subject; the order is the manifest's. */
export const subjectsOf = (outputs: readonly OutputFile[]): Statement['subject'] => outputs.map((file) => ({ name: file.name, digest: { sha256: file.sha256 } }))

/**
 * SLSA v1 provenance of `npm run build`. Every field is a fact of the source and the toolchain, none of the run:
 * no start time, no host, no path, no invocation id, so that two builds of one commit attest in the same bytes.
 */
export function makeProvenance(input: ProvenanceInput): Statement {
  const { source, toolchain } = input
  const resolvedDependencies: ResourceDescriptor[] = []
  if (source.commit) resolvedDependencies.push({ uri: `git+${input.sourceUri}@${source.commit}`, digest: { gitCommit: source.commit } })
  resolvedDependencies.push({ uri: `pkg:generic/node@${toolchain.node}`, name: 'node' })
  if (toolchain.npm) resolvedDependencies.push({ uri: `pkg:npm/npm@${toolchain.npm}`, name: 'npm' })
  // Every package of the lockfile, dev tools included: the bundler and compiler are inputs of the build too.
  for (const item of lockedPackages(input.lock)) {
    const digest = integrityDigest(item.entry.integrity)
    resolvedDependencies.push({ uri: npmPurl(item.name, item.version), name: item.path, ...(Object.keys(digest).length > 0 ? { digest } : {}) })
  }
  return {
    _type: STATEMENT_V1,
    subject: subjectsOf(input.outputs),
    predicateType: SLSA_PROVENANCE_V1,
    predicate: {
      buildDefinition: {
        buildType: BUILD_TYPE,
        externalParameters: { source: input.sourceUri, ...(source.commit ? { revision: source.commit } : {}), command: 'npm run build' },
        internalParameters: {
          SOURCE_DATE_EPOCH: source.epoch,
          // A tree with changes since the commit is not the commit: say which files, rather than claim it is.
          modifiedSinceCommit: source.modified,
          platform: toolchain.platform,
        },
        resolvedDependencies,
      },
      runDetails: {
        builder: { id: input.builderId, version: { node: toolchain.node, ...(toolchain.npm ? { npm: toolchain.npm } : {}) } },
        metadata: {},
      },
    },
  }
}

/** The CycloneDX SBOM as the predicate of a Statement about the same outputs, so it can be signed and linked to them. */
export function sbomStatement(bom: CycloneDxBom, outputs: readonly OutputFile[]): Statement {
  return { _type: STATEMENT_V1, subject: subjectsOf(outputs), predicateType: CYCLONEDX_PREDICATE, predicate: bom }
}

export type SigningKey = { keyid: string; privateKey: KeyObject; algorithm: 'ecdsa-p256' | 'ed25519'; publicKeyPem: string }

/** Reads a PEM private key: ECDSA P-256 (signed with SHA-256, DER) or Ed25519. The keyid defaults to its SHA-256 fingerprint. */
export function loadSigningKey(pem: string, keyid?: string): SigningKey {
  let privateKey: KeyObject
  try {
    privateKey = createPrivateKey(pem)
  } catch (error) {
    throw new Error(`the signing key is not a PEM private key: ${error instanceof Error ? error.message : String(error)}`)
  }
  const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString()
  let algorithm: SigningKey['algorithm']
  if (privateKey.asymmetricKeyType === 'ed25519') algorithm = 'ed25519'
  else if (privateKey.asymmetricKeyType === 'ec' && privateKey.asymmetricKeyDetails?.namedCurve === 'prime256v1') algorithm = 'ecdsa-p256'
  else throw new Error(`the signing key is ${privateKey.asymmetricKeyType ?? 'of unknown type'}${privateKey.asymmetricKeyDetails?.namedCurve ? ` on ${privateKey.asymmetricKeyDetails.namedCurve}` : ''}; use ECDSA P-256 or Ed25519`)
  return { keyid: keyid ?? loadPublicKey('signing key', publicKeyPem).fingerprint, privateKey, algorithm, publicKeyPem }
}

/** The key `npm run build` signs its own attestations with. Its private half is public (see server/demo/own-build.ts). */
export function demoBuildSigningKey(): SigningKey {
  const key = ownBuildKey()
  return { keyid: OWN_BUILD_KEY_ID, privateKey: key.privateKey, algorithm: 'ed25519', publicKeyPem: key.publicKeyPem }
}

export type Envelope = { payloadType: string; payload: string; signatures: { keyid: string; sig: string }[] }

/** A DSSE envelope over the Statement's JSON (Ed25519 signatures are deterministic; ECDSA's are not). */
export function signStatement(statement: Statement, key: SigningKey): Envelope {
  const payload = Buffer.from(JSON.stringify(statement), 'utf8')
  const signature = sign(key.algorithm === 'ed25519' ? null : 'sha256', pae(IN_TOTO_PAYLOAD_TYPE, payload), key.privateKey)
  return { payloadType: IN_TOTO_PAYLOAD_TYPE, payload: payload.toString('base64'), signatures: [{ keyid: key.keyid, sig: signature.toString('base64') }] }
}

export function toolchain(): Toolchain {
  let npm: string | null = null
  // npm sets npm_config_user_agent ("npm/11.2.0 node/v20…") for scripts it runs; otherwise ask it.
  const agent = /\bnpm\/(\S+)/.exec(process.env.npm_config_user_agent ?? '')?.[1]
  if (agent) npm = agent
  else {
    try {
      npm = execFileSync('npm', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    } catch {
      npm = null
    }
  }
  return { node: process.version, npm, platform: `${process.platform}-${process.arch}` }
}

/** The provenance of the build in `root`/dist, from the checkout, the lockfile and this toolchain. */
export function provenanceOfBuild(root: string, env: NodeJS.ProcessEnv = process.env): Statement {
  const pkg = readPackageJson(root)
  const tools = toolchain()
  return makeProvenance({
    pkg,
    lock: readLockfile(root),
    outputs: readOutputs(root),
    source: readSource(root, env),
    toolchain: tools,
    sourceUri: env.PROVENANCE_SOURCE_URI || pkg.name,
    builderId: env.PROVENANCE_BUILDER_ID || `urn:provenance-dashboard:builder:local:${tools.platform}`,
  })
}

const StatementSubjects = z.object({
  _type: z.string(),
  subject: z.array(z.object({ name: z.string(), digest: z.record(z.string(), z.string()) })),
  predicateType: z.string(),
})

/** `signature`: 'verified', 'not checked' (no key given), or the status and the failed checks. */
export type VerifyResult = { comparison: OutputComparison; signature: string; predicateType: string }

/**
 * Checks a build in `root`/dist against an envelope: with a public key, that the key signed it (by the same code
 * the dashboard verifies with); always, that every file in dist/ is a subject with the same SHA-256 and no other.
 */
export function verifyBuild(root: string, envelopeJson: unknown, publicKeyPem?: string): VerifyResult {
  const envelope = parseEnvelope(envelopeJson)
  let signature = 'not checked'
  if (publicKeyPem !== undefined) {
    const verification = verifyEnvelope(envelope, [loadPublicKey('given key', publicKeyPem)])
    signature = verification.status === 'verified' ? 'verified' : `${verification.status}: ${verification.checks.filter((check) => !check.ok).map((check) => `${check.name}: ${check.actual}`).join('; ')}`
  }
  const statement = StatementSubjects.parse(JSON.parse(envelope.payload.toString('utf8')))
  return { comparison: compareOutputs(statement.subject, readOutputs(root)), signature, predicateType: statement.predicateType }
}

async function post(url: string, token: string, name: string, body: string): Promise<void> {
  const endpoint = new URL('/api/v1/attestations', url)
  let response: Response
  try {
    response = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body })
  } catch (error) {
    // fetch says only "fetch failed"; the reason (refused, unknown host) is its cause.
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error)
    throw new Error(`cannot post the ${name} to ${endpoint.href}: ${cause}`)
  }
  const text = await response.text()
  if (!response.ok) throw new Error(`${endpoint.href} answered ${response.status} to the ${name}: ${text.slice(0, 500)}`)
  const answer = z.object({ documents: z.array(z.object({ id: z.string(), verification: z.object({ status: z.string() }) })) }).safeParse(JSON.parse(text))
  const documents = answer.success ? answer.data.documents : []
  console.log(`provenance: ${name} posted to ${endpoint.origin}: ${documents.map((document) => `${document.id} (${document.verification.status})`).join(', ') || text.slice(0, 200)}`)
}

const HELP = `npm run provenance -- [options]          sign provenance and the SBOM of dist/
  --key FILE          PEM private key (ECDSA P-256 or Ed25519); or the PEM in PROVENANCE_SIGNING_KEY
  --keyid ID          keyid in the envelope (default: the key's SHA-256 fingerprint)
  --demo-key          sign with the public demo build key (what npm run build does; proves lineage, not who)
  --out FILE          the provenance envelope (default: provenance.dsse.json; with --demo-key ${attestationFiles.provenance})
  --sbom-out FILE     the signed SBOM statement (default: sbom.cdx.dsse.json; with --demo-key ${attestationFiles.sbomEnvelope})
  --url URL --token T also POST both to a running dashboard's /api/v1/attestations
npm run provenance -- verify [--envelope FILE] [--public-key FILE]
  checks that every file in dist/ is a subject of the envelope with the same SHA-256 (and, with a key, the signature);
  exits 1 naming each file that differs`

async function main(argv: string[]) {
  const root = fileURLToPath(new URL('..', import.meta.url))
  const verify = argv[0] === 'verify'
  const { values } = parseArgs({
    args: verify ? argv.slice(1) : argv,
    options: {
      key: { type: 'string' },
      keyid: { type: 'string' },
      'demo-key': { type: 'boolean', default: false },
      out: { type: 'string' },
      'sbom-out': { type: 'string' },
      url: { type: 'string' },
      token: { type: 'string' },
      envelope: { type: 'string' },
      'public-key': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) return console.log(HELP)

  if (verify) {
    const path = resolve(values.envelope ?? join(root, attestationFiles.provenance))
    const publicKey = values['public-key'] ? readFileSync(values['public-key'], 'utf8') : undefined
    const result = verifyBuild(root, JSON.parse(readFileSync(path, 'utf8')), publicKey)
    const problems = describeComparison(result.comparison, 30)
    console.log(`provenance: ${path} (${result.predicateType}); signature ${result.signature}`)
    for (const line of problems) console.log(`  ${line}`)
    const { matched, changed, missing, unlisted, undigested } = result.comparison
    const wrong = changed.length + missing.length + unlisted.length + undigested.length
    console.log(`provenance: ${matched.length} files in dist/ match their subjects${wrong > 0 ? `; ${changed.length} changed, ${missing.length} missing, ${unlisted.length} not attested, ${undigested.length} without a SHA-256` : ''}`)
    if (!outputsMatch(result.comparison) || (publicKey !== undefined && result.signature !== 'verified')) process.exitCode = 1
    return
  }

  const pem = values.key ? readFileSync(values.key, 'utf8') : process.env.PROVENANCE_SIGNING_KEY
  if (values['demo-key'] && pem) throw new Error('give either --demo-key or a key (--key / PROVENANCE_SIGNING_KEY), not both')
  if (!values['demo-key'] && !pem) throw new Error(`no signing key: give --key FILE, or the PEM in PROVENANCE_SIGNING_KEY, or --demo-key\n\n${HELP}`)
  if ((values.url === undefined) !== (values.token === undefined)) throw new Error('--url and --token go together: the dashboard takes documents with an ingest token')
  const key = pem ? loadSigningKey(pem, values.keyid) : demoBuildSigningKey()

  const outputs = readOutputs(root)
  const provenance = provenanceOfBuild(root)
  const sbomPath = join(root, attestationFiles.sbom)
  // The SBOM the build wrote, or a new one when there is none (the same bytes either way for an unchanged build).
  const bom: CycloneDxBom = existsSync(sbomPath) ? (JSON.parse(readFileSync(sbomPath, 'utf8')) as CycloneDxBom) : sbomOfBuild(root)
  const envelope = jsonFile(signStatement(provenance, key))
  const sbomEnvelope = jsonFile(signStatement(sbomStatement(bom, outputs), key))
  const out = resolve(values.out ?? (values['demo-key'] ? join(root, attestationFiles.provenance) : 'provenance.dsse.json'))
  const sbomOut = resolve(values['sbom-out'] ?? (values['demo-key'] ? join(root, attestationFiles.sbomEnvelope) : 'sbom.cdx.dsse.json'))
  for (const [path, text] of [[out, envelope], [sbomOut, sbomEnvelope]] as const) {
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, text)
  }
  const shown = (path: string) => (relative(process.cwd(), path).startsWith('..') ? path : relative(process.cwd(), path))
  const manifest = createHash('sha256').update(manifestText(outputs)).digest('hex')
  console.log(`provenance: ${outputs.length} files in dist/ as subjects (manifest SHA-256 ${manifest}); signed by ${key.keyid} (${key.algorithm}) into ${shown(out)} and ${shown(sbomOut)}`)
  if (values.url !== undefined && values.token !== undefined) {
    await post(values.url, values.token, 'provenance', envelope)
    await post(values.url, values.token, 'SBOM', sbomEnvelope)
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(`provenance: ${error instanceof Error ? error.message : String(error)}`)
    process.exitCode = 1
  })
}
