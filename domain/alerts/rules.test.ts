import { describe, expect, it } from 'vitest'
import type { Deployment } from '../../src/contract/deployments'
import type { Policy } from '../../src/contract/policy'
import type { BuildFacts } from './facts'
import { alertId, evaluateBuild, evaluateDeployment, hostAllowed } from './rules'
import { alertSettings } from './settings'

const hex = (n: number, length = 64) => n.toString(16).padStart(length, '0')

/** A clean build of a Node project, as its facts; each test changes what it is about. */
function facts(n: number, change: Partial<BuildFacts> = {}): BuildFacts {
  return {
    buildId: hex(n),
    documentId: hex(n + 1_000_000),
    project: 'acme/web',
    sourceHost: 'github.com',
    time: Date.UTC(2026, 0, 1) + n * 3_600_000,
    durationMs: 600_000 + ((n * 7919) % 60_000),
    builderId: 'https://github.com/actions/runner/github-hosted',
    buildType: 'https://actions.github.io/buildtypes/workflow/v1',
    status: 'verified',
    failedCheck: null,
    failures: [],
    signer: { identity: 'release-key', trusted: true },
    tools: [
      { name: 'node', version: '20.19.0', source: 'pipeline' },
      { name: 'npm', version: '10.8.2', source: 'provenance' },
    ],
    hosts: [
      { host: 'github.com', via: 'resolved dependency git+https://github.com/acme/web@refs/heads/main' },
      { host: 'registry.npmjs.org', via: 'CI step build › build' },
    ],
    dependencies: [
      { key: 'git+https://github.com/acme/web', uri: 'git+https://github.com/acme/web@refs/heads/main', digest: `gitCommit:${hex(n, 40)}` },
      { key: 'package-lock.json', uri: 'package-lock.json', digest: 'sha256:aaaa' },
      { key: 'pkg:npm/left-pad', uri: 'pkg:npm/left-pad@1.3.0', digest: 'sha256:1111' },
    ],
    lockfile: { key: 'package-lock.json', uri: 'package-lock.json', digest: 'sha256:aaaa' },
    artifacts: [{ name: 'web.tgz', digest: `sha256:${hex(n + 5)}` }],
    rebuilds: [],
    ...change,
  }
}

/** 200 earlier builds, newest first, as the baseline window. */
const history = Array.from({ length: 200 }, (_, index) => facts(1000 - index))
const unpinned = alertSettings(null)
const policy: Policy = {
  name: 'acme-web',
  repositories: ['https://github.com/acme/*'],
  signers: [],
  requiredChecks: [],
  builders: [],
  buildTypes: [],
  toolchain: { npm: '10.8.2' },
  allowedHosts: ['github.com', '*.npmjs.org'],
}
const pinned = alertSettings(policy)

describe('a clean build', () => {
  it('raises nothing, with or without a policy', () => {
    expect(evaluateBuild(facts(1001), history, unpinned)).toEqual([])
    expect(evaluateBuild(facts(1001), history, pinned)).toEqual([])
  })
  it('raises nothing on the first builds of a pipeline, where there is no baseline yet', () => {
    expect(evaluateBuild(facts(1, { tools: [{ name: 'node', version: '22.0.0', source: 'pipeline' }] }), history.slice(0, 3), unpinned)).toEqual([])
  })
})

describe('unexpected tool version', () => {
  it('against the learned baseline names the share of recent builds', () => {
    const findings = evaluateBuild(facts(1001, { tools: [{ name: 'node', version: '21.1.0', source: 'pipeline' }] }), history, unpinned)
    expect(findings).toHaveLength(1)
    expect(findings[0]).toMatchObject({
      rule: 'unexpected-tool-version',
      severity: 'medium',
      cause: 'node@21.1.0',
      evidence: { expected: 'node 20.19.0', found: 'node 21.1.0 (from CI telemetry)', basis: 'node 20.19.0 in 100% of the last 200 builds of acme/web that used node' },
    })
  })
  it('a baseline only 80% agree on is no baseline (minShare 0.9)', () => {
    const mixed = history.map((build, index) => (index % 5 === 0 ? { ...build, tools: [{ name: 'node', version: '18.0.0', source: 'pipeline' as const }] } : build))
    expect(evaluateBuild(facts(1001, { tools: [{ name: 'node', version: '21.1.0', source: 'pipeline' }] }), mixed, unpinned)).toEqual([])
  })
  it('against the pinned toolchain even when the whole history drifted the same way', () => {
    const drifted = history.map((build) => ({ ...build, tools: [{ name: 'npm', version: '11.0.0', source: 'provenance' as const }] }))
    const findings = evaluateBuild(facts(1001, { tools: [{ name: 'npm', version: '11.0.0', source: 'provenance' }] }), drifted, pinned)
    expect(findings.map((finding) => [finding.rule, finding.evidence.expected, finding.evidence.basis])).toEqual([['unexpected-tool-version', 'npm 10.8.2', 'pinned in policy acme-web']])
  })
})

describe('out-of-band download', () => {
  it('flags a host outside the allow-list, with where it was seen', () => {
    const build = facts(1001, { hosts: [...facts(1001).hosts, { host: 'paste.snippets-host.example', via: 'CI step build › build' }] })
    const findings = evaluateBuild(build, history, pinned)
    expect(findings.map((finding) => [finding.rule, finding.cause, finding.evidence.found])).toEqual([
      ['out-of-band-download', 'host paste.snippets-host.example', 'paste.snippets-host.example (CI step build › build)'],
    ])
  })
  it('matches *.domain against subdomains only', () => {
    expect(hostAllowed('registry.npmjs.org', ['*.npmjs.org'])).toBe(true)
    expect(hostAllowed('npmjs.org', ['*.npmjs.org'])).toBe(false)
    expect(hostAllowed('evilnpmjs.org', ['*.npmjs.org'])).toBe(false)
    expect(hostAllowed('GitHub.com', ['github.com'])).toBe(true)
  })
  it('says nothing when the project has no allow-list', () => {
    expect(evaluateBuild(facts(1001, { hosts: [{ host: 'anything.example', via: 'x' }] }), history, unpinned)).toEqual([])
  })
})

describe('dependency drift', () => {
  it('flags a dependency no earlier build had', () => {
    const build = facts(1001, { dependencies: [...facts(1001).dependencies, { key: 'pkg:npm/evil', uri: 'pkg:npm/evil@0.0.1', digest: 'sha256:beef' }] })
    expect(evaluateBuild(build, history, unpinned).map((finding) => finding.cause)).toEqual(['new pkg:npm/evil'])
  })
  it('flags a dependency whose digest changed while the lockfile did not', () => {
    const build = facts(1001, {
      dependencies: facts(1001).dependencies.map((dependency) => (dependency.key === 'pkg:npm/left-pad' ? { ...dependency, digest: 'sha256:2222' } : dependency)),
    })
    const findings = evaluateBuild(build, history, unpinned)
    expect(findings.map((finding) => [finding.cause, finding.evidence.expected, finding.evidence.found])).toEqual([
      ['changed pkg:npm/left-pad', 'pkg:npm/left-pad@1.3.0 (sha256:1111), as locked by package-lock.json', 'pkg:npm/left-pad@1.3.0 (sha256:2222)'],
    ])
  })
  it('accepts a changed dependency when the lockfile changed too', () => {
    const lockfile = { key: 'package-lock.json', uri: 'package-lock.json', digest: 'sha256:bbbb' }
    const build = facts(1001, {
      lockfile,
      dependencies: facts(1001).dependencies.map((dependency) => (dependency.key === 'pkg:npm/left-pad' ? { ...dependency, digest: 'sha256:2222' } : dependency.key === lockfile.key ? lockfile : dependency)),
    })
    expect(evaluateBuild(build, history, unpinned)).toEqual([])
  })
})

describe('builder, signer, verification, rebuilds', () => {
  it('flags a builder change against the baseline', () => {
    const findings = evaluateBuild(facts(1001, { builderId: 'https://self-hosted.example/runner' }), history, unpinned)
    expect(findings.map((finding) => [finding.rule, finding.severity, finding.evidence.expected, finding.evidence.found])).toEqual([
      ['builder-changed', 'high', 'https://github.com/actions/runner/github-hosted', 'https://self-hosted.example/runner'],
    ])
  })
  it('flags an unknown signer and a changed trusted signer, apart', () => {
    expect(evaluateBuild(facts(1001, { status: 'untrusted', signer: { identity: 'rogue-key', trusted: false } }), history, unpinned).map((finding) => finding.cause)).toEqual([
      'unknown rogue-key',
    ])
    const changed = evaluateBuild(facts(1001, { signer: { identity: 'other-key', trusted: true } }), history, unpinned)
    expect(changed.map((finding) => [finding.cause, finding.evidence.expected])).toEqual([['changed other-key', 'signed by release-key']])
  })
  it('flags a failed verification with the failing check, critical by default', () => {
    const findings = evaluateBuild(
      facts(1001, { status: 'failed', failedCheck: 'envelope-signature', failures: [{ name: 'envelope-signature', ok: false, expected: 'a valid signature', actual: 'signature does not verify' }] }),
      history,
      unpinned,
    )
    expect(findings.map((finding) => [finding.rule, finding.severity, finding.cause, finding.evidence.found])).toEqual([
      ['verification-failed', 'critical', 'check envelope-signature', 'signature does not verify'],
    ])
  })
  it('flags a trusted rebuild that disagrees, about the artifact, and ignores an untrusted claim', () => {
    const mismatch = { documentId: hex(77), rebuilder: 'rebuilder-b', artifact: 'web.tgz', published: `sha256:${hex(1006)}`, rebuilt: `sha256:${hex(9)}`, verdict: 'mismatch' as const, trusted: true }
    const findings = evaluateBuild(facts(1001, { rebuilds: [mismatch, { ...mismatch, rebuilder: 'someone', trusted: false }] }), history, unpinned)
    expect(findings.map((finding) => [finding.rule, finding.subject.kind, finding.subject.id, finding.evidence.documents.map((document) => document.id)])).toEqual([
      ['rebuild-mismatch', 'artifact', mismatch.published, [hex(1001 + 1_000_000), hex(77)]],
    ])
  })
})

describe('duration outlier (median and MAD)', () => {
  it('flags a build far slower than the pipeline usually is, and not one within its spread', () => {
    expect(evaluateBuild(facts(1001, { durationMs: 3_600_000 }), history, unpinned).map((finding) => [finding.rule, finding.cause])).toEqual([['duration-outlier', 'slower']])
    expect(evaluateBuild(facts(1001, { durationMs: 655_000 }), history, unpinned)).toEqual([])
  })
  it('is not dragged by a few wild durations in the history', () => {
    const wild = history.map((build, index) => (index < 10 ? { ...build, durationMs: 50_000_000 } : build))
    expect(evaluateBuild(facts(1001, { durationMs: 3_600_000 }), wild, unpinned).map((finding) => finding.cause)).toEqual(['slower'])
  })
})

describe('settings from the policy', () => {
  it('turns a rule off and changes a severity', () => {
    const settings = alertSettings({ ...policy, alerts: { rules: { 'out-of-band-download': { enabled: false }, 'builder-changed': { severity: 'critical' } } } })
    const build = facts(1001, { builderId: 'x', hosts: [{ host: 'paste.example', via: 'y' }] })
    expect(evaluateBuild(build, history, settings).map((finding) => [finding.rule, finding.severity])).toEqual([['builder-changed', 'critical']])
  })
  it('gives one alert id per project, rule and cause', () => {
    expect(alertId('acme/web', 'unexpected-tool-version', 'node@21.1.0')).toMatch(/^[0-9a-f]{24}$/)
    expect(alertId('acme/web', 'unexpected-tool-version', 'node@21.1.0')).toBe(alertId('acme/web', 'unexpected-tool-version', 'node@21.1.0'))
    expect(alertId('acme/api', 'unexpected-tool-version', 'node@21.1.0')).not.toBe(alertId('acme/web', 'unexpected-tool-version', 'node@21.1.0'))
  })
})

describe('deployed without verified provenance', () => {
  const digestOf = (label: string) => `sha256:${label.padEnd(64, '0')}`
  const proven = (buildId: string) => ({ status: 'verified' as const, buildId: buildId as never, sourceRepo: 'https://github.com/acme/api', sourceCommit: 'c'.repeat(40), verifiedPath: true, rebuildDisagrees: false, reason: 'provenance verified, built from acme/api@ccccccc' })
  const unproven = { status: 'none' as const, buildId: null, sourceRepo: null, sourceCommit: null, verifiedPath: false, rebuildDisagrees: false, reason: 'no provenance names this digest' }
  const untrusted = (buildId: string) => ({ ...proven(buildId), status: 'untrusted' as const, verifiedPath: false, reason: 'provenance signed by a key nothing trusted vouches for' })
  const deployment = (artifacts: Deployment['artifacts'], change: Partial<Deployment> = {}): Deployment => ({
    id: hex(77) as Deployment['id'],
    environment: { name: 'production', cluster: null, namespace: null, region: null },
    service: 'api',
    project: 'acme/api',
    artifacts,
    deployedAt: '2026-11-19T08:00:00.000Z',
    system: { name: 'argo-cd', runUrl: null },
    replaces: null,
    replacedBy: null,
    recordedBy: 'api',
    documentId: null,
    signature: null,
    flagged: false,
    ingestedAt: '2026-11-19T08:00:01.000Z',
    ...change,
  })

  it('raises nothing when every deployed digest has a verified path to a commit', () => {
    expect(evaluateDeployment(deployment([{ digest: digestOf('a'), name: 'api', provenance: proven(hex(1)) }]), unpinned)).toEqual([])
  })

  it('names the service in its environment as the cause, and only the digests that are not proven as found', () => {
    const documents = new Map([[hex(2), hex(9002)]])
    const [finding, ...rest] = evaluateDeployment(
      deployment([
        { digest: digestOf('a'), name: 'api', provenance: proven(hex(1)) },
        { digest: digestOf('b'), name: 'worker', provenance: untrusted(hex(2)) },
        { digest: digestOf('c'), name: null, provenance: unproven },
      ], { documentId: hex(4242) as Deployment['documentId'], recordedBy: 'attestation' }),
      unpinned,
      { documents },
    )
    expect(rest).toEqual([])
    expect(finding).toMatchObject({
      rule: 'deployed-without-verified-provenance',
      severity: 'high',
      project: 'acme/api',
      cause: 'production/api',
      title: `worker, sha256:c00000000000 deployed to production without verified provenance`,
      subject: { kind: 'deployment', id: hex(77), buildId: hex(77) },
    })
    expect(finding?.evidence.found).toBe(`worker sha256:b00000000000…: provenance signed by a key nothing trusted vouches for; artifact sha256:c00000000000…: no provenance names this digest`)
    expect(finding?.evidence.documents).toEqual([
      { id: hex(4242), label: 'deployment attestation of api in production' },
      { id: hex(9002), label: `provenance of worker (build ${hex(2).slice(0, 12)})` },
    ])
  })

  it('files a deployment that names no project under the service’s known project, else the service', () => {
    const anonymous = deployment([{ digest: digestOf('c'), name: null, provenance: unproven }], { project: null })
    expect(evaluateDeployment(anonymous, unpinned, { project: 'acme/api' })[0]?.project).toBe('acme/api')
    expect(evaluateDeployment(anonymous, unpinned)[0]?.project).toBe('api')
  })

  it('follows the policy: off raises nothing, a severity is taken', () => {
    const flagged = deployment([{ digest: digestOf('c'), name: null, provenance: unproven }])
    const off = alertSettings({ ...policy, alerts: { rules: { 'deployed-without-verified-provenance': { enabled: false } } } })
    const critical = alertSettings({ ...policy, alerts: { rules: { 'deployed-without-verified-provenance': { severity: 'critical' } } } })
    expect(evaluateDeployment(flagged, off)).toEqual([])
    expect(evaluateDeployment(flagged, critical)[0]?.severity).toBe('critical')
  })
})
