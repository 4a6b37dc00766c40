import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'
import { DEPLOYMENT_RULE, type AlertEvidence, type AlertRule, type AlertSeverity, type AlertSubject, type EvidenceDocument } from '../../src/contract/alerts'
import type { Deployment } from '../../src/contract/deployments'
import { isFlagged } from '../deployment-provenance'
import type { BuildFacts } from './facts'
import type { AlertSettings } from './settings'
import { historyBaseline, type Baseline, type Tally } from './baseline'
import { robustZ } from './statistics'

/*
 * The anomaly rules, each a pure function of one build's facts, the baseline of the earlier builds of its pipeline
 * (newest first, at most the baseline's size; domain/alerts/baseline.ts) and the project's settings. A finding names its cause so that the same
 * cause in later builds adds to one alert: `node@21.1.0`, `host paste.example`, `check builder-id`.
 */

export type Finding = {
  rule: AlertRule
  severity: AlertSeverity
  project: string
  cause: string
  title: string
  subject: AlertSubject
  evidence: AlertEvidence
}

type Draft = Omit<Finding, 'severity' | 'project' | 'subject'> & { subject?: AlertSubject }
/** The rules that judge one build; the deployment rule (evaluateDeployment) judges a deployment. */
export type BuildRule = Exclude<AlertRule, typeof DEPLOYMENT_RULE>
type Rule = (build: BuildFacts, baseline: Baseline, settings: AlertSettings) => Draft[]

/** The id of the alert a cause belongs to: the same in the server and the mocks, stable across restarts. */
export function alertId(project: string, rule: AlertRule, cause: string): string {
  const text = `${project}\n${rule}\n${cause}`
  let id = alertIds.get(text)
  if (id === undefined) {
    id = bytesToHex(sha256(utf8ToBytes(text))).slice(0, 24)
    if (alertIds.size >= ALERT_IDS_LIMIT) alertIds.clear()
    alertIds.set(text, id)
  }
  return id
}
/** Filing asks for the id of the same few causes for every build that shows them; the hash is kept (bounded). */
const ALERT_IDS_LIMIT = 20_000
const alertIds = new Map<string, string>()

const provenance = (build: BuildFacts): EvidenceDocument => ({ id: build.documentId, label: `provenance of build ${build.buildId.slice(0, 12)}` })
const percent = (share: number) => `${Math.floor(share * 1000) / 10}%`
const policyText = (settings: AlertSettings) => (settings.policyName === null ? 'the policy' : `policy ${settings.policyName}`)

/** `*.example.com` matches every subdomain of example.com; `*` alone any host; otherwise exact, without case. */
export function hostAllowed(host: string, patterns: readonly string[]): boolean {
  const name = host.toLowerCase()
  return patterns.some((pattern) => {
    const glob = pattern.toLowerCase()
    if (glob === '*') return true
    if (glob.startsWith('*.')) return name.endsWith(glob.slice(1)) && name.length > glob.length - 1
    return glob === name
  })
}

/** The usual value of something among earlier builds, when enough of them agree to call it usual. */
function usualOf<T>(tally: Tally<T> | null, settings: AlertSettings): { value: T; share: number; count: number } | null {
  if (tally === null || tally.of < settings.baseline.minBuilds) return null
  const share = tally.count / tally.of
  return share >= settings.baseline.minShare ? { value: tally.value, share, count: tally.of } : null
}

/** The previous build's provenance, as evidence beside the build's own. */
const previousDocument = (baseline: Baseline): EvidenceDocument[] =>
  baseline.previous === undefined ? [] : [{ id: baseline.previous.documentId, label: `provenance of the previous build ${baseline.previous.buildId.slice(0, 12)}` }]

const unexpectedToolVersion: Rule = (build, baseline, settings) => {
  const drafts: Draft[] = []
  for (const tool of build.tools) {
    const pinned = settings.toolchain[tool.name]
    const from = tool.source === 'pipeline' ? 'CI telemetry' : 'the provenance'
    if (pinned !== undefined) {
      if (tool.version === pinned) continue
      drafts.push({
        rule: 'unexpected-tool-version',
        cause: `${tool.name}@${tool.version}`,
        title: `${tool.name} ${tool.version} where ${pinned} is pinned`,
        evidence: { expected: `${tool.name} ${pinned}`, found: `${tool.name} ${tool.version} (from ${from})`, basis: `pinned in ${policyText(settings)}`, documents: [provenance(build)] },
      })
      continue
    }
    // No pin: compare with what the pipeline's recent builds used, when they used this tool consistently.
    const usual = usualOf(baseline.toolVersion(tool.name), settings)
    if (usual === null || usual.value === tool.version) continue
    drafts.push({
      rule: 'unexpected-tool-version',
      cause: `${tool.name}@${tool.version}`,
      title: `${tool.name} ${tool.version} where ${usual.value} is usual`,
      evidence: {
        expected: `${tool.name} ${usual.value}`,
        found: `${tool.name} ${tool.version} (from ${from})`,
        basis: `${tool.name} ${usual.value} in ${percent(usual.share)} of the last ${usual.count} builds of ${build.project} that used ${tool.name}`,
        documents: [provenance(build), ...previousDocument(baseline)],
      },
    })
  }
  return drafts
}

const outOfBandDownload: Rule = (build, _baseline, settings) => {
  if (settings.allowedHosts.length === 0) return []
  return build.hosts
    .filter((contact) => contact.host !== build.sourceHost && !hostAllowed(contact.host, settings.allowedHosts))
    .map((contact) => ({
      rule: 'out-of-band-download' as const,
      cause: `host ${contact.host}`,
      title: `contacted ${contact.host}, which is not on the allow-list`,
      evidence: {
        expected: `only hosts on the allow-list: ${settings.allowedHosts.join(', ')}`,
        found: `${contact.host} (${contact.via})`,
        basis: `allowedHosts of ${policyText(settings)}`,
        documents: [provenance(build)],
      },
    }))
}

const dependencyDrift: Rule = (build, baseline, settings) => {
  const drafts: Draft[] = []
  if (baseline.size >= settings.baseline.minBuilds) {
    for (const dependency of build.dependencies) {
      if (baseline.hadDependency(dependency.key)) continue
      drafts.push({
        rule: 'dependency-drift',
        cause: `new ${dependency.key}`,
        title: `a dependency no earlier build had: ${dependency.key}`,
        evidence: {
          expected: `the dependencies of the last ${baseline.size} builds`,
          found: `${dependency.uri}${dependency.digest ? ` (${dependency.digest})` : ''}`,
          basis: `none of the last ${baseline.size} builds of ${build.project} resolved ${dependency.key}`,
          documents: [provenance(build)],
        },
      })
    }
  }
  const previous = baseline.previous
  if (previous && build.lockfile && previous.lockfile && build.lockfile.digest !== '' && build.lockfile.digest === previous.lockfile.digest) {
    const before = new Map(previous.dependencies.map((dependency) => [dependency.key, dependency]))
    for (const dependency of build.dependencies) {
      const old = before.get(dependency.key)
      // A source checkout moves with every commit; that is not drift, and the lockfile does not lock it.
      const source = /^git[+:]/.test(dependency.uri) || dependency.digest.includes('gitCommit:')
      if (source || dependency === build.lockfile || !old || old.digest === '' || dependency.digest === '' || old.digest === dependency.digest) continue
      drafts.push({
        rule: 'dependency-drift',
        cause: `changed ${dependency.key}`,
        title: `${dependency.key} changed while the lockfile did not`,
        evidence: {
          expected: `${old.uri} (${old.digest}), as locked by ${build.lockfile.uri}`,
          found: `${dependency.uri} (${dependency.digest})`,
          basis: `the lockfile ${build.lockfile.key} has the same digest as in the previous build`,
          documents: [provenance(build), { id: previous.documentId, label: `provenance of the previous build ${previous.buildId.slice(0, 12)}` }],
        },
      })
    }
  }
  return drafts
}

const builderChanged: Rule = (build, baseline, settings) => {
  const drafts: Draft[] = []
  const facets = [
    { name: 'builder', value: build.builderId, usual: baseline.builder() },
    { name: 'build type', value: build.buildType, usual: baseline.buildType() },
  ]
  for (const facet of facets) {
    const usual = usualOf(facet.usual, settings)
    if (usual === null || usual.value === facet.value) continue
    const found = facet.value ?? `no ${facet.name}`
    drafts.push({
      rule: 'builder-changed',
      cause: `${facet.name} ${found}`,
      title: `${facet.name} changed to ${found}`,
      evidence: {
        expected: usual.value ?? `no ${facet.name}`,
        found,
        basis: `the ${facet.name} of ${percent(usual.share)} of the last ${usual.count} builds of ${build.project}`,
        documents: [provenance(build), ...previousDocument(baseline)],
      },
    })
  }
  return drafts
}

const signerIdentity: Rule = (build, baseline, settings) => {
  // A signature that failed establishes no signer; verification-failed says so. A trusted signer whose document
  // failed a policy check (the policy's signer-identity, say) is still judged against the usual signer.
  if (build.status === 'failed' && !build.signer.trusted) return []
  const usual = usualOf(baseline.trustedSigner(), settings)
  if (!build.signer.trusted) {
    const found = build.signer.identity === null ? 'no signature' : `${build.signer.identity}, which no trusted key or certificate authority vouches for`
    return [
      {
        rule: 'signer-identity',
        cause: `unknown ${build.signer.identity ?? 'unsigned'}`,
        title: build.signer.identity === null ? 'unsigned provenance' : `signed by an unknown signer: ${build.signer.identity}`,
        evidence: {
          expected: usual?.value ? `signed by ${usual.value}` : 'signed by a trusted signer',
          found,
          basis: usual ? `signer of ${percent(usual.share)} of the last ${usual.count} trusted builds of ${build.project}` : `the trusted keys and roots of this server`,
          documents: [provenance(build)],
        },
      },
    ]
  }
  if (usual === null || usual.value === build.signer.identity) return []
  return [
    {
      rule: 'signer-identity',
      cause: `changed ${build.signer.identity ?? 'unsigned'}`,
      title: `signer changed to ${build.signer.identity ?? 'none'}`,
      evidence: {
        expected: `signed by ${usual.value ?? 'nobody'}`,
        found: `signed by ${build.signer.identity ?? 'nobody'}`,
        basis: `signer of ${percent(usual.share)} of the last ${usual.count} trusted builds of ${build.project}`,
        documents: [provenance(build), ...previousDocument(baseline)],
      },
    },
  ]
}

const verificationFailed: Rule = (build) => {
  if (build.status !== 'failed') return []
  const check = build.failures.find((failure) => failure.name === build.failedCheck) ?? build.failures[0]
  const name = build.failedCheck ?? check?.name ?? 'a check'
  return [
    {
      rule: 'verification-failed',
      cause: `check ${name}`,
      title: `verification failed: ${name}`,
      evidence: {
        expected: check?.expected ?? `${name} passes`,
        found: check?.actual ?? check?.detail ?? `${name} failed`,
        basis: `the verification of the build's provenance`,
        documents: [provenance(build)],
      },
    },
  ]
}

const rebuildMismatch: Rule = (build) =>
  build.rebuilds
    .filter((rebuild) => rebuild.verdict === 'mismatch' && rebuild.trusted)
    .map((rebuild) => ({
      rule: 'rebuild-mismatch' as const,
      cause: `${rebuild.artifact} by ${rebuild.rebuilder}`,
      title: `${rebuild.rebuilder} rebuilt ${rebuild.artifact} to a different digest`,
      subject: { kind: 'artifact' as const, id: rebuild.published, buildId: build.buildId, label: `${rebuild.artifact} ${rebuild.published.slice(0, 19)}` },
      evidence: {
        expected: rebuild.published,
        found: rebuild.rebuilt,
        basis: `the published digest, against an independent rebuild by ${rebuild.rebuilder}`,
        documents: [provenance(build), { id: rebuild.documentId, label: `rebuild attestation by ${rebuild.rebuilder}` }],
      },
    }))

const minutes = (ms: number) => (ms >= 120_000 ? `${(ms / 60_000).toFixed(1)} min` : `${Math.round(ms / 1000)} s`)

const durationOutlier: Rule = (build, baseline, settings) => {
  if (build.durationMs === null) return []
  const count = baseline.durationCount()
  if (count < settings.durationOutlier.minBuilds) return []
  const spread = baseline.durationSpread()
  const centre = spread.median
  // A pipeline whose durations barely vary has a MAD near zero; a floor of 1% of the median (at least a second)
  // keeps a few seconds' difference from reading as an outlier.
  const mad = Math.max(spread.mad, centre * 0.01, 1000)
  const z = robustZ(build.durationMs, centre, mad)
  if (Math.abs(z) <= settings.durationOutlier.threshold) return []
  const direction = z > 0 ? 'slower' : 'faster'
  return [
    {
      rule: 'duration-outlier',
      cause: direction,
      title: `took ${minutes(build.durationMs)}, far ${direction} than the usual ${minutes(centre)}`,
      evidence: {
        expected: `about ${minutes(centre)} (median; MAD ${minutes(mad)})`,
        found: `${minutes(build.durationMs)} (robust z ${z.toFixed(1)}, threshold ${settings.durationOutlier.threshold})`,
        basis: `durations of the last ${count} builds of ${build.project}`,
        documents: [provenance(build)],
      },
    },
  ]
}

export const rules: Record<BuildRule, Rule> = {
  'unexpected-tool-version': unexpectedToolVersion,
  'out-of-band-download': outOfBandDownload,
  'dependency-drift': dependencyDrift,
  'builder-changed': builderChanged,
  'signer-identity': signerIdentity,
  'verification-failed': verificationFailed,
  'rebuild-mismatch': rebuildMismatch,
  'duration-outlier': durationOutlier,
}

const ruleList = Object.entries(rules) as [BuildRule, Rule][]

/** Every enabled rule on one build, against the earlier builds of its pipeline (newest first). */
export function evaluateBuild(build: BuildFacts, history: readonly BuildFacts[], settings: AlertSettings): Finding[] {
  return evaluateBuildAgainst(build, historyBaseline(history.slice(0, settings.baseline.builds)), settings)
}

/** Every enabled rule on one build, against its pipeline's baseline (at most the settings' baseline size). */
export function evaluateBuildAgainst(build: BuildFacts, baseline: Baseline, settings: AlertSettings): Finding[] {
  // Most builds raise nothing: the build's subject is made only for a finding.
  let subject: AlertSubject | undefined
  const findings: Finding[] = []
  for (const [rule, run] of ruleList) {
    const setting = settings.rules[rule]
    if (!setting.enabled) continue
    for (const draft of run(build, baseline, settings)) {
      subject ??= { kind: 'build', id: build.buildId, buildId: build.buildId, label: `${build.project} build ${build.buildId.slice(0, 12)}` }
      findings.push({ ...draft, severity: setting.severity, project: build.project, subject: draft.subject ?? subject })
    }
  }
  return findings
}

/** The cause of a deployment alert: the service in its environment, so redeploying it unverified adds to one alert. */
export const deploymentCause = (deployment: Pick<Deployment, 'environment' | 'service'>): string => `${deployment.environment.name}/${deployment.service}`

/** The project a deployment alert is filed under: the deployment's, else `fallback` (another record of the service), else the service. */
export const deploymentProject = (deployment: Pick<Deployment, 'project' | 'service'>, fallback: string | null = null): string => deployment.project ?? fallback ?? deployment.service

const shortDigest = (digest: string) => digest.slice(0, 19)

/**
 * Deployed without verified provenance: a deployment one of whose digests has no verified path back to a source
 * commit. Whether a digest has one is the rule behind GET /api/v1/environments' flag (domain/deployment-provenance.ts,
 * already applied to each artifact's `provenance`); this only turns the flag into a finding. `documents` maps build
 * ids to their provenance documents, so the evidence links the document that failed to prove the digest.
 */
export function evaluateDeployment(
  deployment: Deployment,
  settings: AlertSettings,
  context: { project?: string | null; documents?: ReadonlyMap<string, string> } = {},
): Finding[] {
  const setting = settings.rules[DEPLOYMENT_RULE]
  if (!setting.enabled || !isFlagged(deployment.artifacts.map((artifact) => artifact.provenance))) return []
  const unverified = deployment.artifacts.filter((artifact) => isFlagged([artifact.provenance]))
  const environment = deployment.environment.name
  const what = unverified.map((artifact) => artifact.name ?? shortDigest(artifact.digest)).join(', ')
  const documents: EvidenceDocument[] = []
  if (deployment.documentId !== null) documents.push({ id: deployment.documentId, label: `deployment attestation of ${deployment.service} in ${environment}` })
  for (const artifact of unverified) {
    const document = artifact.provenance.buildId === null ? undefined : context.documents?.get(artifact.provenance.buildId)
    if (document !== undefined) documents.push({ id: document, label: `provenance of ${artifact.name ?? shortDigest(artifact.digest)} (build ${artifact.provenance.buildId?.slice(0, 12)})` })
  }
  return [
    {
      rule: DEPLOYMENT_RULE,
      severity: setting.severity,
      project: deploymentProject(deployment, context.project ?? null),
      cause: deploymentCause(deployment),
      title: `${what} deployed to ${environment} without verified provenance`,
      subject: { kind: 'deployment', id: deployment.id, buildId: deployment.id, label: `${deployment.service} in ${environment}, deployed ${deployment.deployedAt.slice(0, 16).replace('T', ' ')} UTC` },
      evidence: {
        expected: 'every deployed digest traced by verified provenance to a source commit',
        found: unverified.map((artifact) => `${artifact.name ?? 'artifact'} ${shortDigest(artifact.digest)}…: ${artifact.provenance.reason}`).join('; '),
        basis: `the provenance of each digest the deployment names, judged as GET /api/v1/environments judges it (recorded by ${deployment.recordedBy === 'attestation' ? 'a deployment attestation' : `${deployment.system.name}`})`,
        documents,
      },
    },
  ]
}

/** Why a deployment alert is resolved by the rules: what now runs for its cause (`environment/service`), if anything. */
export function deploymentClearedReason(cause: string, running: Deployment | undefined): string {
  if (running === undefined) return `nothing is recorded as running for ${cause} any more`
  const digests = running.artifacts.map((artifact) => `${artifact.name ?? 'artifact'} ${shortDigest(artifact.digest)}…`).join(', ')
  const where = `${running.service} in ${running.environment.name}`
  return running.flagged
    ? `${where} now runs ${digests}, filed under another project`
    : `${where} now runs ${digests}, whose provenance verifies: ${running.artifacts.map((artifact) => artifact.provenance.reason).join('; ')}`
}
