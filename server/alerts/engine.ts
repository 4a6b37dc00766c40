import { createHash } from 'node:crypto'
import type { Alert } from '../../src/contract/alerts'
import type { Deployment } from '../../src/contract/deployments'
import type { Occurrence } from '../../domain/alerts/aggregate'
import { buildFacts, type BuildFacts, type BuildFactsInput } from '../../domain/alerts/facts'
import { evaluateBuild, evaluateDeployment, alertId, deploymentCause, deploymentClearedReason, type Finding } from '../../domain/alerts/rules'
import { alertSettings, type AlertSettings } from '../../domain/alerts/settings'
import type { Config } from '../config'
import { policyFor } from '../policy/policy'
import type { Store } from '../store/types'

/*
 * Runs the anomaly rules over what was stored. Ingest calls catchUp() after each request: it evaluates the
 * builds whose provenance, rebuild verdicts or CI telemetry arrived since the last time (watermarks in the
 * settings table), each against the earlier builds of its pipeline, which are kept in memory per project so a
 * batch costs one baseline load, not one per build. When the policies change, everything is evaluated again and
 * what no build shows any more is resolved by the rules, with the reason in the alert's history.
 *
 * Deployments are judged by the deployment rule when they are recorded (a watermark on their ingest time) and again
 * when documents arrive that may prove or disprove what they deployed. Its alerts are one per service and
 * environment: open while what runs there has no verified provenance, resolved by the rules once it has.
 */

const SEQ = 'alerts.seq'
const TELEMETRY = 'alerts.telemetry'
const POLICY = 'alerts.policy'
/** The last deployment the deployment rule has seen: `<ingested at>:<id>`. */
const DEPLOYMENTS = 'alerts.deployments'
/** The last verdict change (migration 0021's seq) whose build the rules have judged again. */
const VERDICTS = 'alerts.verdicts'
const BATCH = 1000

/**
 * The causes that follow from a build's verdict alone: a failed verification, and an untrusted or missing signer.
 * When re-verification changes a verdict these are judged again and taken back where the build no longer shows them;
 * the rules that compare a build with its pipeline's history keep what they found when it was ingested.
 */
const isVerdictCause = (rule: string, cause: string) => rule === 'verification-failed' || (rule === 'signer-identity' && cause.startsWith('unknown '))

export type EvaluationOutcome = { evaluated: number; created: Alert[] }

export type AlertEngine = {
  /** Evaluates what arrived since the last call (or everything, the first time or after a policy change). */
  catchUp(): Promise<EvaluationOutcome>
  /** Evaluates every stored build again, oldest first; alerts nothing shows any more are resolved. */
  reevaluateAll(reason: string): Promise<EvaluationOutcome>
}

export const policyFingerprint = (config: Config) => createHash('sha256').update(JSON.stringify(config.policies)).digest('hex')

type Window = { size: number; builds: BuildFacts[] }

const older = (a: BuildFacts, b: BuildFacts) => a.time < b.time || (a.time === b.time && a.buildId < b.buildId)

export function alertEngine(store: Store, config: Config, now: () => number, onCreated: (alerts: Alert[]) => void = () => undefined): AlertEngine {
  // Newest first per project; at most the baseline's size once trimmed.
  const windows = new Map<string, Window>()
  let queue: Promise<unknown> = Promise.resolve()
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task)
    queue = run.catch(() => undefined)
    return run
  }

  // The policy's repository globs compile to regular expressions on every lookup; a batch asks for the same few
  // repositories over and over, so each one's settings are worked out once (the config is fixed for the engine's life).
  const settingsByRepo = new Map<string | null, AlertSettings>()
  const settingsForRepo = (sourceRepo: string | null): AlertSettings => {
    let settings = settingsByRepo.get(sourceRepo)
    if (settings === undefined) {
      settings = alertSettings(policyFor(config.policies, sourceRepo))
      settingsByRepo.set(sourceRepo, settings)
    }
    return settings
  }
  const settingsFor = (build: BuildFactsInput): AlertSettings => settingsForRepo(build.sourceRepo)

  async function factsOf(ids: readonly string[]): Promise<{ facts: BuildFacts; settings: AlertSettings }[]> {
    const details = await store.alerts.factsInputs(ids)
    const digests = [...new Set(details.flatMap((detail) => detail.subjects.flatMap((subject) => Object.values(subject.digest))))]
    const rebuilds = digests.length === 0 ? [] : await store.alerts.rebuildsFor(digests)
    return details.map((detail) => ({ facts: buildFacts(detail, rebuilds), settings: settingsFor(detail) }))
  }

  async function windowFor(first: BuildFacts, settings: AlertSettings): Promise<Window> {
    const known = windows.get(first.project)
    if (known) return known
    const ids = await store.alerts.recentBuildIds(first.project, { time: first.time, id: first.buildId }, settings.baseline.builds)
    const loaded = (await factsOf(ids)).map((entry) => entry.facts)
    const window = { size: settings.baseline.builds, builds: loaded.sort((a, b) => (older(a, b) ? 1 : -1)) }
    windows.set(first.project, window)
    return window
  }

  /** Evaluates builds oldest first per project; answers the findings with their occurrences. */
  async function evaluate(ids: readonly string[]): Promise<{ finding: Finding; occurrence: Occurrence }[]> {
    const entries = (await factsOf(ids)).sort((a, b) => (older(a.facts, b.facts) ? -1 : 1))
    const items: { finding: Finding; occurrence: Occurrence }[] = []
    for (const { facts, settings } of entries) {
      const window = await windowFor(facts, settings)
      // A build evaluated again (telemetry arrived later) replaces its earlier facts.
      window.builds = window.builds.filter((other) => other.buildId !== facts.buildId)
      const history = window.builds.filter((other) => older(other, facts))
      for (const finding of evaluateBuild(facts, history, settings)) {
        items.push({ finding, occurrence: { buildId: facts.buildId, documentId: facts.documentId, at: facts.time, found: finding.evidence.found } })
      }
      const at = window.builds.findIndex((other) => older(other, facts))
      window.builds.splice(at < 0 ? window.builds.length : at, 0, facts)
      if (window.builds.length > window.size) window.builds.length = window.size
    }
    return items
  }

  const settingsForDeployment = (deployment: Deployment): AlertSettings =>
    settingsForRepo(deployment.artifacts.find((artifact) => artifact.provenance.sourceRepo !== null)?.provenance.sourceRepo ?? null)

  const parseMark = (text: string | null): { at: number; id: string } | null => {
    const match = text === null ? null : /^(\d+):([0-9a-f]{64})$/.exec(text)
    return match?.[1] && match[2] ? { at: Number(match[1]), id: match[2] } : null
  }

  /**
   * The deployment rule over `ids` and over whatever runs now unverified, then the deployment alerts whose service no
   * longer runs anything unverified in their environment are resolved. Answers the ids of the alerts that stay active.
   */
  async function evaluateDeployments(ids: readonly string[], marks?: Record<string, string>): Promise<{ created: Alert[]; active: Set<string> }> {
    const environments = await store.deployments.environments()
    const running = environments.items.flatMap((environment) => environment.services.map((service) => service.deployment))
    const runningIds = new Set(running.map((deployment) => deployment.id))
    const wanted = [...new Set([...ids, ...running.filter((deployment) => deployment.flagged).map((deployment) => deployment.id)])]
    const { deployments, projects, documents } = await store.alerts.deploymentFacts(wanted)
    // Oldest first, so the newest deployment of a service sets its alert's title and evidence.
    deployments.sort((a, b) => (a.deployedAt < b.deployedAt ? -1 : a.deployedAt > b.deployedAt ? 1 : a.id < b.id ? -1 : 1))
    const items: { finding: Finding; occurrence: Occurrence }[] = []
    const active = new Set<string>()
    for (const deployment of deployments) {
      for (const finding of evaluateDeployment(deployment, settingsForDeployment(deployment), { project: projects.get(deployment.service) ?? null, documents })) {
        items.push({ finding, occurrence: { buildId: deployment.id, documentId: deployment.documentId ?? '', at: Date.parse(deployment.deployedAt), found: finding.evidence.found } })
        if (runningIds.has(deployment.id)) active.add(alertId(finding.project, finding.rule, finding.cause))
      }
    }
    const created = await record(items, marks)
    const runningByCause = new Map(running.map((deployment) => [deploymentCause(deployment), deployment]))
    await store.alerts.clearDeploymentAlerts(
      active,
      (cause) => deploymentClearedReason(cause, runningByCause.get(cause)),
      now(),
    )
    return { created, active }
  }

  /** Deployments recorded since the watermark, every one of them when `from` is null. */
  async function deploymentsAfter(from: { at: number; id: string } | null): Promise<{ ids: string[]; mark: string | null }> {
    const ids: string[] = []
    let after = from
    for (;;) {
      const page = await store.alerts.deploymentsSince(after, BATCH)
      if (page.length === 0) break
      ids.push(...page.map((row) => row.id))
      const last = page.at(-1)
      if (last !== undefined) after = last
    }
    return { ids, mark: after === null || after === from ? null : `${after.at}:${after.id}` }
  }

  /**
   * Builds whose verdict was replaced since the mark: judged again by the verdict rules (new findings file or reopen
   * alerts; alerts no build shows any more resolve, saying what re-verification found), and the deployments resting
   * on their documents go through the deployment rule again.
   */
  async function rejudgeVerdicts(): Promise<Alert[]> {
    let mark = Number((await store.settings.get(VERDICTS)) ?? 0)
    const created: Alert[] = []
    for (;;) {
      const changes = await store.alerts.verdictChanges(mark, BATCH)
      if (changes.seq === mark) return created
      const entries = await factsOf(changes.buildIds)
      const items: { finding: Finding; occurrence: Occurrence }[] = []
      const shown = new Map<string, Set<string>>()
      const statusOf = new Map<string, string>()
      for (const { facts, settings } of entries) {
        const ids = new Set<string>()
        // Only the verdict's own causes: they need no history, and the others were judged with the history of the time.
        for (const finding of evaluateBuild(facts, [], settings).filter((each) => isVerdictCause(each.rule, each.cause))) {
          items.push({ finding, occurrence: { buildId: facts.buildId, documentId: facts.documentId, at: facts.time, found: finding.evidence.found } })
          ids.add(alertId(finding.project, finding.rule, finding.cause))
        }
        shown.set(facts.buildId, ids)
        statusOf.set(facts.buildId, facts.status)
      }
      created.push(...(await record(items)))
      await store.alerts.withdraw(shown, isVerdictCause, (buildId) => `re-verification judged the provenance of build ${buildId.slice(0, 12)} ${statusOf.get(buildId) ?? 'again'}; no build shows this cause any more`, now())
      const deployments = await store.alerts.deploymentsCiting(changes.documentIds)
      if (deployments.length > 0) created.push(...(await evaluateDeployments(deployments)).created)
      // The baselines held in memory have the old verdicts; the next evaluation reads them again.
      windows.clear()
      mark = changes.seq
      await store.settings.set(VERDICTS, String(mark))
    }
  }

  async function record(items: { finding: Finding; occurrence: Occurrence }[], marks?: Record<string, string>): Promise<Alert[]> {
    const created = await store.alerts.record(items, now(), marks)
    if (created.length > 0) onCreated(created)
    return created
  }

  async function reevaluate(reason: string | null): Promise<EvaluationOutcome> {
    windows.clear()
    // Read the watermarks before evaluating, so what arrives meanwhile is picked up by the next catch-up.
    const latest = await latestMarks()
    // Re-evaluating everything reads every current verdict, so the verdict changes so far are judged by it.
    let verdicts = Number((await store.settings.get(VERDICTS)) ?? 0)
    for (let step = await store.alerts.verdictChanges(verdicts, 50_000); step.seq !== verdicts; step = await store.alerts.verdictChanges(verdicts, 50_000)) verdicts = step.seq
    const seen = new Set<string>()
    const created: Alert[] = []
    let evaluated = 0
    let after: { time: number; id: string } | null = null
    for (;;) {
      const page = await store.alerts.buildsInOrder(after, BATCH)
      if (page.length === 0) break
      const items = await evaluate(page.map((row) => row.id))
      for (const { finding } of items) seen.add(alertId(finding.project, finding.rule, finding.cause))
      created.push(...(await record(items)))
      evaluated += page.length
      const last = page.at(-1)
      after = last ? { time: last.time, id: last.id } : after
    }
    const fresh = await deploymentsAfter(null)
    const deployments = await evaluateDeployments(fresh.ids, fresh.mark === null ? undefined : { [DEPLOYMENTS]: fresh.mark })
    created.push(...deployments.created)
    for (const id of deployments.active) seen.add(id)
    if (reason !== null) await store.alerts.clearAbsent(seen, reason, now())
    await store.settings.set(SEQ, String(latest.seq))
    await store.settings.set(TELEMETRY, String(latest.telemetry))
    await store.settings.set(POLICY, policyFingerprint(config))
    await store.settings.set(VERDICTS, String(verdicts))
    return { evaluated, created }
  }

  /** The newest document seq and telemetry update now stored. */
  async function latestMarks(): Promise<{ seq: number; telemetry: number }> {
    let seq = Number((await store.settings.get(SEQ)) ?? 0)
    let telemetry = Number((await store.settings.get(TELEMETRY)) ?? 0)
    for (;;) {
      const step = await store.alerts.pending(seq, telemetry, 50_000)
      if (step.seq === seq && step.telemetry === telemetry) return { seq, telemetry }
      seq = step.seq
      telemetry = step.telemetry
    }
  }

  async function catchUp(): Promise<EvaluationOutcome> {
    await store.alerts.expireWaivers(now())
    const fingerprint = await store.settings.get(POLICY)
    if (fingerprint === null) return reevaluate(null)
    if (fingerprint !== policyFingerprint(config)) return reevaluate('no build shows this cause under the changed policy')
    let seq = Number((await store.settings.get(SEQ)) ?? 0)
    let telemetry = Number((await store.settings.get(TELEMETRY)) ?? 0)
    // Another server on the same database evaluated builds since our last turn: our baselines miss them.
    if (seq !== lastSeq) windows.clear()
    const firstSeq = seq
    const created: Alert[] = []
    let evaluated = 0
    for (;;) {
      const work = await store.alerts.pending(seq, telemetry, BATCH)
      if (work.seq === seq && work.telemetry === telemetry) break
      const items = work.buildIds.length > 0 ? await evaluate(work.buildIds) : []
      created.push(...(await record(items, { [SEQ]: String(work.seq), [TELEMETRY]: String(work.telemetry) })))
      evaluated += work.buildIds.length
      seq = work.seq
      telemetry = work.telemetry
    }
    // Deployments recorded since the last time, and those whose digests the new documents may prove or disprove.
    const fresh = await deploymentsAfter(parseMark(await store.settings.get(DEPLOYMENTS)))
    const touched = seq > firstSeq ? await store.alerts.deploymentsTouched(firstSeq, seq) : []
    if (fresh.ids.length > 0 || touched.length > 0) {
      created.push(...(await evaluateDeployments([...fresh.ids, ...touched], fresh.mark === null ? undefined : { [DEPLOYMENTS]: fresh.mark })).created)
    }
    created.push(...(await rejudgeVerdicts()))
    lastSeq = seq
    return { evaluated, created }
  }

  // One evaluation at a time across every server sharing the store (server/coordination), so a build is judged
  // once, against a baseline that includes what the other servers stored.
  let lastSeq: number | null = null
  const turn = <T>(task: () => Promise<T>) => serial(() => store.coordination.exclusive('alerts', task))
  return {
    catchUp: () => turn(catchUp),
    reevaluateAll: (reason) => turn(() => reevaluate(reason)),
  }
}
