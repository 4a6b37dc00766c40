import { DEMO_END, type DemoBuild } from './model'

/*
 * A few builds after the demo's history that a security team would want to hear about, each the kind of change
 * that happens in real pipelines. They are ordinary demo builds (signed, ingested, with CI telemetry); the alerts
 * they raise come from the rules evaluating them, never from inserting alerts. The server's seed ingests them and
 * the mocks list them, so both show the same builds and the same alerts.
 */

const MINUTE = 60_000

export type DemoAlertScenario = { build: DemoBuild; story: string }

/** The scenario builds, placed after the last build of each project in `base` (oldest first). */
export function demoAlertScenarios(base: readonly DemoBuild[]): DemoAlertScenario[] {
  const lastOf = (project: string) => base.filter((build) => build.project === project).at(-1)
  let index = base.length
  const after = (previous: DemoBuild, minutes: number, change: Partial<DemoBuild>, story: string): DemoAlertScenario => {
    const duration = change.finishedAt !== undefined && change.startedAt !== undefined ? change.finishedAt - change.startedAt : previous.finishedAt - previous.startedAt
    // After the project's last build, but finished before the demo's "now".
    const startedAt = Math.min(previous.finishedAt + minutes * MINUTE, DEMO_END - duration - (120 - minutes) * MINUTE)
    const build: DemoBuild = {
      ...previous,
      index: index++,
      // A new commit and new artifacts: a later build, not a copy of the previous one.
      commit: hexOf(`${previous.commit}:${minutes}`, 40),
      invocationId: previous.invocationId.replace(/\/runs\/(\d+)\//, (_match, run: string) => `/runs/${Number(run) + minutes}/`),
      artifacts: previous.artifacts.map((artifact) => ({ ...artifact, sha256: hexOf(`${artifact.sha256}:${minutes}`, 64) })),
      signing: 'trusted',
      ...change,
      startedAt,
      finishedAt: startedAt + duration,
    }
    return { build, story }
  }
  const scenarios: DemoAlertScenario[] = []
  const web = lastOf('acme/web')
  if (web) {
    const tools = web.tools.map((tool) => (tool.name === 'node' ? { ...tool, version: '21.1.0' } : tool))
    scenarios.push(after(web, 20, { tools }, 'the runner image moved node to 21.1.0 while the policy pins 20.19.0'))
    scenarios.push(after(web, 45, { tools }, 'and the next build of the pipeline did the same'))
  }
  const cli = lastOf('acme/cli')
  if (cli) {
    scenarios.push(after(cli, 30, { builderId: 'https://github.com/acme/cli/.github/workflows/release-self-hosted.yml@refs/heads/main' }, 'a release built by a self-hosted workflow instead of the SLSA generator'))
  }
  const ledger = lastOf('payments/ledger')
  if (ledger) {
    scenarios.push(after(ledger, 25, { keyAlgorithm: 'ecdsa-p256' }, 'signed by the P-256 release key, which this project has never used'))
  }
  const image = lastOf('platform/base-image')
  if (image) {
    scenarios.push(after(image, 40, { startedAt: 0, finishedAt: 3 * 60 * MINUTE }, 'a base image build that ran for three hours'))
  }
  const api = lastOf('acme/api')
  if (api) {
    scenarios.push(after(api, 35, { tools: [...api.tools, { name: 'upx', version: '4.2.4' }] }, 'a binary packer no earlier build used appeared among the resolved dependencies'))
  }
  return scenarios
}

/** The scenario builds alone, for lists that hold builds. */
export const demoAlertScenarioBuilds = (base: readonly DemoBuild[]): DemoBuild[] => demoAlertScenarios(base).map((scenario) => scenario.build)

/** A deterministic hex string from text (FNV-1a, repeated): digests and commits that look like ones, without node:crypto. */
function hexOf(text: string, length: number): string {
  let out = ''
  let round = 0
  while (out.length < length) {
    let hash = 0x811c9dc5 ^ round++
    for (let index = 0; index < text.length; index++) {
      hash ^= text.charCodeAt(index)
      hash = Math.imul(hash, 0x01000193) >>> 0
    }
    out += hash.toString(16).padStart(8, '0')
  }
  return out.slice(0, length)
}

/** The demo's builds followed by the scenario builds: every build the seeded server holds. */
export const withAlertScenarios = (base: readonly DemoBuild[]): DemoBuild[] => [...base, ...demoAlertScenarioBuilds(base)]
