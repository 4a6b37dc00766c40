import { createHash, sign } from 'node:crypto'
import { demoPolicy } from '../../demo/alerts-policies'
import { demoBuilds, demoProjects, type DemoBuild } from '../../demo/model'
import { demoAlertScenarioBuilds } from '../../demo/alerts-scenarios'
import { demoReleasePolicy } from '../../demo/gates'
import { demoRebuilds } from '../../demo/rebuilds'
import { demoSbomStatement } from '../../demo/sboms'
import { demoStatement } from '../../demo/statement'
import { demoTrace } from '../../demo/traces'
import type { Policy } from '../../src/contract/policy'
import { ingestContext, type Config } from '../config'
import { IN_TOTO_PAYLOAD_TYPE, pae } from '../ingest/dsse'
import { alertEngine } from '../alerts/engine'
import { seedDemoDeployments } from '../deployments/seed-demo'
import { ingestBody } from '../ingest/ingest'
import { loadPublicKey } from '../ingest/keys'
import { loadSigstoreTrust } from '../ingest/sigstore/trust-material'
import type { Store } from '../store/types'
import { ingestOtlpJson } from '../telemetry/ingest'
import { demoKeys, type DemoKey } from './keys'
import { demoRebuildEnvelope, demoRebuilderKeys } from './rebuilds'

/** The demo's ingest token. Printed at start; it only exists in the demo config. */
export const DEMO_INGEST_TOKEN = 'demo-ingest-token'
/** The demo's triage token (scope triage): acknowledging, resolving and waiving alerts. Only in the demo config. */
export const DEMO_TRIAGE_TOKEN = 'demo-triage-token'

export function demoConfig(): Config {
  const demo = demoKeys()
  const keys = [demo.ed25519, demo.ecdsa, ...demoRebuilderKeys().values()].map((key) => loadPublicKey(key.id, key.publicKeyPem))
  return {
    source: 'built-in demo config',
    keys,
    sigstore: loadSigstoreTrust([], keys),
    trustFiles: [],
    tokens: [
      { name: 'demo', sha256: createHash('sha256').update(DEMO_INGEST_TOKEN).digest('hex'), scopes: ['ingest', 'read'] },
      { name: 'demo-triage', sha256: createHash('sha256').update(DEMO_TRIAGE_TOKEN).digest('hex'), scopes: ['read', 'triage'] },
    ],
    readRequiresToken: false,
    maxBodyBytes: 10 * 1024 * 1024,
    // The release gate's policy last: ingest judges by the first policy naming a repository, a project's own.
    policies: [...demoPolicies(), demoReleasePolicy()],
  }
}

/** One policy per demo project: who may sign, which builder, the pinned toolchain and the hosts allowed. */
function demoPolicies(): Policy[] {
  return demoProjects.map(demoPolicy)
}

/** Signs a Statement into a DSSE envelope (Ed25519 signatures are deterministic, so the same seed gives the same bytes). */
export function signEnvelope(statement: unknown, key: DemoKey, keyid = key.id): Record<string, unknown> {
  const payload = Buffer.from(JSON.stringify(statement), 'utf8')
  const signature = sign(key.algorithm === 'ed25519' ? null : 'sha256', pae(IN_TOTO_PAYLOAD_TYPE, payload), key.privateKey)
  return { payloadType: IN_TOTO_PAYLOAD_TYPE, payload: payload.toString('base64'), signatures: [{ keyid, sig: signature.toString('base64') }] }
}

export function demoEnvelope(build: DemoBuild): Record<string, unknown> {
  const keys = demoKeys()
  const trusted = build.keyAlgorithm === 'ecdsa-p256' ? keys.ecdsa : keys.ed25519
  const statement = demoStatement(build)
  if (build.signing === 'unknown-key') return signEnvelope(statement, keys.rogue, 'rogue-release-key')
  const envelope = signEnvelope(statement, trusted)
  if (build.signing === 'broken-signature') {
    // Flip one bit of the signature, as a tampered copy would have.
    const signatures = envelope.signatures as { keyid: string; sig: string }[]
    const sig = Buffer.from(signatures[0]!.sig, 'base64')
    sig[sig.length - 5]! ^= 0x01
    signatures[0]!.sig = sig.toString('base64')
  }
  return envelope
}

/** How many of an ingest's documents it stored (a document already stored is answered too, not created). */
const stored = (documents: readonly { created: boolean }[]) => documents.filter((document) => document.created).length

/**
 * Generates the demo's signed documents and ingests them through the same path as POST /api/v1/attestations.
 * Answers how many documents it stored (the log's size on an empty store) and how many deployments it recorded.
 */
export async function seedDemo(store: Store, config: Config, count?: number): Promise<{ documents: number; deployments: number; ms: number }> {
  const started = performance.now()
  const builds = demoBuilds(count)
  let documents = 0
  for (let offset = 0; offset < builds.length; offset += 250) {
    const lines = builds.slice(offset, offset + 250).map((build) => JSON.stringify(demoEnvelope(build)))
    const result = await ingestBody(store, Buffer.from(lines.join('\n')), 'application/x-ndjson', ingestContext(config))
    if (!result.ok) throw new Error(`demo seed failed: ${result.error.message}`)
    if (result.body.errors.length > 0) throw new Error(`demo seed produced unreadable documents: ${result.body.errors[0]?.message}`)
    documents += stored(result.body.documents)
  }
  // The SBOMs the builds wrote, attested by the same release key as their provenance (demo/sboms.ts).
  documents += await seedDemoSboms(store, config, builds)
  // CI telemetry for the same builds, through the POST /v1/traces code path, so build pages show their pipeline.
  await seedDemoTelemetry(store, builds)
  // Independent rebuilders' verdicts on the builds' artifacts, after the builds so each is filed under its project.
  const rebuilds = demoRebuilds(builds)
  for (let offset = 0; offset < rebuilds.length; offset += 500) {
    const lines = rebuilds.slice(offset, offset + 500).map((rebuild) => JSON.stringify(demoRebuildEnvelope(rebuild)))
    const result = await ingestBody(store, Buffer.from(lines.join('\n')), 'application/x-ndjson', ingestContext(config))
    if (!result.ok) throw new Error(`demo seed failed: ${result.error.message}`)
    if (result.body.errors.length > 0) throw new Error(`demo seed produced unreadable rebuild documents: ${result.body.errors[0]?.message}`)
    documents += stored(result.body.documents)
  }
  // Staging and production with their promotion history (demo/deployments.ts); production web deploys are signed.
  const deployed = await seedDemoDeployments(store, config, { builds, rebuilds }, (statement) => signEnvelope(statement, demoKeys().ed25519))
  documents += deployed.documents
  // Builds after the history that the anomaly rules should flag (demo/alerts-scenarios.ts): provenance and telemetry.
  const scenarios = demoAlertScenarioBuilds(builds)
  const scenarioResult = await ingestBody(store, Buffer.from(scenarios.map((build) => JSON.stringify(demoEnvelope(build))).join('\n')), 'application/x-ndjson', ingestContext(config))
  if (!scenarioResult.ok || scenarioResult.body.errors.length > 0) throw new Error('demo seed could not ingest the alert scenarios')
  documents += stored(scenarioResult.body.documents)
  await seedDemoTelemetry(store, scenarios)
  // The anomaly rules over what was seeded, as ingest over HTTP runs them (server/alerts/engine.ts).
  await alertEngine(store, config, Date.now).catchUp()
  return { documents, deployments: deployed.deployments, ms: performance.now() - started }
}

/** Signs each build's SBOM Statement with its project's release key and ingests them through the attestations path. */
async function seedDemoSboms(store: Store, config: Config, builds: readonly DemoBuild[]): Promise<number> {
  const keys = demoKeys()
  const lines = builds.flatMap((build) => {
    const statement = demoSbomStatement(build)
    return statement === null ? [] : [JSON.stringify(signEnvelope(statement, build.keyAlgorithm === 'ecdsa-p256' ? keys.ecdsa : keys.ed25519))]
  })
  let documents = 0
  for (let offset = 0; offset < lines.length; offset += 250) {
    const result = await ingestBody(store, Buffer.from(lines.slice(offset, offset + 250).join('\n')), 'application/x-ndjson', ingestContext(config))
    if (!result.ok) throw new Error(`demo seed failed: ${result.error.message}`)
    if (result.body.errors.length > 0) throw new Error(`demo seed produced unreadable SBOM documents: ${result.body.errors[0]?.message}`)
    documents += stored(result.body.documents)
  }
  return documents
}

/** Sends every build's trace through the code path of POST /v1/traces, a hundred builds per request. */
async function seedDemoTelemetry(store: Store, builds: readonly DemoBuild[]): Promise<{ traces: number }> {
  for (let offset = 0; offset < builds.length; offset += 100) {
    const resourceSpans = builds.slice(offset, offset + 100).flatMap((build) => demoTrace(build).resourceSpans)
    const response = await ingestOtlpJson(store, JSON.stringify({ resourceSpans }))
    if (response.partialSuccess) throw new Error(`demo telemetry was not all accepted: ${response.partialSuccess.errorMessage}`)
  }
  return { traces: builds.length }
}
