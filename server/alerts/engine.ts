import { createHash } from 'node:crypto'
import type { Alert } from '../../src/contract/alerts'
import type { Deployment } from '../../src/contract/deployments'
import type { Occurrence } from '../../domain/alerts/aggregate'
import { buildFacts, type BuildFacts, type BuildFactsInput } from '../../domain/alerts/facts'
import { olderBuild, RollingBaseline } from '../../domain/alerts/baseline'
import { evaluateBuild, evaluateBuildAgainst, evaluateDeployment, alertId, deploymentCause, deploymentClearedReason, type Finding } from '../../domain/alerts/rules'
import { alertSettings, type AlertSettings } from '../../domain/alerts/settings'
import type { Config } from '../config'
import { policyFor } from '../policy/policy'
import type { Store } from '../store/types'
import { EVERY_KIND, type StoredKinds } from './evaluation-reads'
import { takeHandedOver, type HandedBuild } from './handover'

/*
 * Runs the anomaly rules over what was stored. Ingest calls catchUp() after each request (and hands over the builds
 * it stored, so they need not be read back: ./handover.ts): it evaluates the builds whose provenance, rebuild
 * verdicts or CI telemetry arrived since the last time (watermarks in the settings table), each against the earlier
 * builds of its pipeline, which are kept in memory per project so a batch costs one baseline load, not one per
 * build. When the policies change, everything is evaluated again and
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
/** The position is saved at least once this many documents, or this long, after it was last saved (see catchUp). */
const SAVE_EVERY = 5000
const SAVE_AFTER_MS = 60_000

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
  /**
   * On shutdown, after the last request and before the store closes: waits for the evaluation running, then saves
   * how far this engine has judged, so a restart does not judge those builds again.
   */
  stop(): Promise<void>
}

export const policyFingerprint = (config: Config) => createHash('sha256').update(JSON.stringify(config.policies)).digest('hex')

const older = olderBuild

export function alertEngine(store: Store, config: Config, now: () => number, onCreated: (alerts: Alert[]) => void = () => undefined): AlertEngine {
  // Each project's most recent builds with their counts (domain/alerts/baseline.ts), loaded once from the store and
  // kept up to date as builds are judged. Only this engine judges builds while it holds the evaluation turn, and it
  // drops them all when another server judged builds since its last turn, or when verdicts or the policy changed.
  const windows = new Map<string, RollingBaseline>()
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

  /**
   * The facts of these builds: those ingest handed over (./handover.ts) as they are, the rest read from the store.
   * `stored` says which kinds of record exist at all (read after the builds were chosen): none of a kind, no query for it.
   */
  async function factsOf(ids: readonly string[], handed: ReadonlyMap<string, HandedBuild> = new Map(), stored: StoredKinds = EVERY_KIND): Promise<{ facts: BuildFacts; settings: AlertSettings }[]> {
    const given = ids.flatMap((id) => handed.get(id) ?? [])
    const unread = given.length === 0 ? ids : ids.filter((id) => !handed.has(id))
    const details = [
      // With no CI telemetry stored a handed-over build is judged as it is (no copy of it per build to say so).
      ...(given.length === 0 ? [] : stored.telemetry ? await store.alerts.withPipelines(given) : given),
      ...(unread.length === 0 ? [] : await store.alerts.factsInputs(unread, stored.telemetry)),
    ]
    const digests = stored.rebuilds ? [...new Set(details.flatMap((detail) => detail.subjects.flatMap((subject) => Object.values(subject.digest))))] : []
    const rebuilds = digests.length === 0 ? [] : await store.alerts.rebuildsFor(digests)
    return details.map((detail) => ({ facts: buildFacts(detail, rebuilds), settings: settingsFor(detail) }))
  }

  async function windowFor(first: BuildFacts, settings: AlertSettings, stored: StoredKinds): Promise<RollingBaseline> {
    const known = windows.get(first.project)
    if (known) return known
    const ids = await store.alerts.recentBuildIds(first.project, { time: first.time, id: first.buildId }, settings.baseline.builds)
    const window = new RollingBaseline(settings.baseline.builds)
    for (const { facts } of await factsOf(ids, undefined, stored)) window.add(facts)
    windows.set(first.project, window)
    return window
  }

  /** Evaluates builds oldest first per project; answers the findings with their occurrences. */
  async function evaluate(ids: readonly string[], handed?: ReadonlyMap<string, HandedBuild>, stored: StoredKinds = EVERY_KIND): Promise<{ finding: Finding; occurrence: Occurrence }[]> {
    const entries = (await factsOf(ids, handed, stored)).sort((a, b) => (older(a.facts, b.facts) ? -1 : 1))
    const items: { finding: Finding; occurrence: Occurrence }[] = []
    for (const { facts, settings } of entries) {
      // The window is mostly held already: no await (a microtask turn per build) to fetch it.
      const window = windows.get(facts.project) ?? (await windowFor(facts, settings, stored))
      // A build evaluated again (telemetry arrived later) replaces its earlier facts.
      window.remove(facts.buildId)
      // Mostly the build is newer than every build held, and the window's counts are its baseline.
      for (const finding of evaluateBuildAgainst(facts, window.baselineFor(facts, settings.baseline.builds), settings)) {
        items.push({ finding, occurrence: { buildId: facts.buildId, documentId: facts.documentId, at: facts.time, expected: finding.evidence.expected, found: finding.evidence.found } })
      }
      window.add(facts)
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
        items.push({ finding, occurrence: { buildId: deployment.id, documentId: deployment.documentId ?? '', at: Date.parse(deployment.deployedAt), expected: finding.evidence.expected, found: finding.evidence.found } })
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
  async function rejudgeVerdicts(from: number): Promise<Alert[]> {
    let mark = from
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
          items.push({ finding, occurrence: { buildId: facts.buildId, documentId: facts.documentId, at: facts.time, expected: finding.evidence.expected, found: finding.evidence.found } })
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
    // Nothing to file and no mark to move: no transaction.
    if (items.length === 0 && (marks === undefined || Object.keys(marks).length === 0)) return []
    // The commit does not wait for the disk (see "Durability" below): visible at once, durable with the next sync.
    const created = await store.alerts.record(items, now(), marks, { synced: false })
    if (created.length > 0) onCreated(created)
    return created
  }

  async function reevaluate(reason: string | null, handed?: ReadonlyMap<string, HandedBuild>): Promise<EvaluationOutcome> {
    windows.clear()
    // Read the watermarks before evaluating, so what arrives meanwhile is picked up by the next catch-up.
    const latest = await latestMarks()
    // Re-evaluating everything reads every current verdict, so the verdict changes so far are judged by it.
    let verdicts = Number((await store.settings.get(VERDICTS)) ?? 0)
    for (let step = await store.alerts.verdictChanges(verdicts, 50_000); step.seq !== verdicts; step = await store.alerts.verdictChanges(verdicts, 50_000)) verdicts = step.seq
    // After the marks: what is absent now was absent when everything up to them was stored.
    const stored = await store.alerts.storedKinds()
    const seen = new Set<string>()
    const created: Alert[] = []
    let evaluated = 0
    let after: { time: number; id: string } | null = null
    for (;;) {
      const page = await store.alerts.buildsInOrder(after, BATCH)
      if (page.length === 0) break
      const items = await evaluate(page.map((row) => row.id), handed, stored)
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
    // The marks in one transaction (one commit); the fingerprint with them, so a crash before it evaluates all again.
    await store.alerts.record([], now(), { ...positionMarks(latest), [POLICY]: policyFingerprint(config), [VERDICTS]: String(verdicts) })
    position = latest
    saved = { ...latest, at: now() }
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

  /*
   * Where evaluation stands (the newest document seq and telemetry update judged) is saved in the settings table
   * lazily: in the same transaction as the findings it produced, and otherwise only once SAVE_EVERY documents or
   * SAVE_AFTER_MS have gone by. A request whose documents raise nothing commits nothing more than its ingest did.
   *
   * Why that is safe: the saved position is never ahead of what was judged and filed, since findings are written in
   * the same transaction as the position that covers them. After a crash (or on another server, whose saved value
   * is behind this one's) evaluation resumes from the saved position and judges again the builds after it, which
   * raised nothing (or they would have been saved with it); judging a build again files nothing twice, because an
   * occurrence is keyed by alert and build. So every build is judged at least once, and at most SAVE_EVERY
   * documents are judged again after a crash.
   */
  /*
   * Durability. What evaluation files (findings, with the position and marks that cover them, in one transaction) is
   * worked out from documents that are already durable, so its commits do not wait for a disk sync: PostgreSQL's
   * synchronous_commit off, which the SQLite driver honours the same way (server/store/durable-sqlite.ts). Readers see
   * such a commit at once, so a request is still answered after the alerts its documents raise exist. A crash may
   * lose the last of them, never in part and never out of order (both engines write their log in order and sync it
   * whole), so the saved position falls back with the findings it covered and those builds are judged again, as
   * above. Whatever syncs next makes them durable: the next ingest's commit, a webhook delivery queued for a new alert
   * (so a delivery is never sent for an alert a crash could lose), a person's triage. stop() saves with a sync.
   */
  type Position = { seq: number; telemetry: number }
  /** What this engine last read from or wrote to the settings table, and how far it has judged beyond that. */
  let saved: (Position & { at: number }) | null = null
  let position: Position | null = null

  const positionMarks = (at: Position) => ({ [SEQ]: String(at.seq), [TELEMETRY]: String(at.telemetry) })

  async function catchUp(): Promise<EvaluationOutcome> {
    // Builds this process's ingest stored since the last catch-up; used only for builds the position below (or a
    // full evaluation) says are due, and dropped after this turn (another server's builds are read from the store).
    const handed = takeHandedOver(store)
    await store.alerts.expireWaivers(now())
    // Every mark in one read: only this engine writes them, and only while it holds the evaluation turn.
    const marks = await store.alerts.marks([POLICY, SEQ, TELEMETRY, DEPLOYMENTS, VERDICTS])
    const fingerprint = marks[POLICY]
    if (fingerprint === null) return reevaluate(null, handed)
    if (fingerprint !== policyFingerprint(config)) return reevaluate('no build shows this cause under the changed policy', handed)
    const stored = { seq: Number(marks[SEQ] ?? 0), telemetry: Number(marks[TELEMETRY] ?? 0) }
    // Another server on the same database saved a position since our last turn: it judged builds our baselines miss,
    // so they are read again, and evaluation goes on from its position. Otherwise from ours, which may be further on.
    if (position === null || saved === null || stored.seq !== saved.seq || stored.telemetry !== saved.telemetry) {
      windows.clear()
      position = stored
      saved = { ...stored, at: now() }
    }
    let { seq, telemetry } = position
    const firstSeq = seq
    // No deployment stored when the last page was read: none can rest on its documents (one recorded since is new to
    // deploymentsAfter, which judges it whole, now or at the next catch-up).
    let deploymentsStored = true
    // Whether verdicts were replaced since the last rejudged one (asked with the work, in the same statement).
    const verdicts = Number(marks[VERDICTS] ?? 0)
    let verdictChanges = true
    const created: Alert[] = []
    let evaluated = 0
    for (;;) {
      const work = await store.alerts.pending(seq, telemetry, BATCH, verdicts)
      deploymentsStored = work.stored.deployments
      verdictChanges = work.verdictChanges
      if (work.seq === seq && work.telemetry === telemetry) break
      const items = work.buildIds.length > 0 ? await evaluate(work.buildIds, handed, work.stored) : []
      const reached = { seq: work.seq, telemetry: work.telemetry }
      const due = reached.seq - saved.seq >= SAVE_EVERY || now() - saved.at >= SAVE_AFTER_MS
      if (items.length > 0 || due) {
        created.push(...(await record(items, positionMarks(reached))))
        saved = { ...reached, at: now() }
      }
      evaluated += work.buildIds.length
      seq = work.seq
      telemetry = work.telemetry
      position = reached
      // Nothing more was stored when this batch was read; anything stored since is the next catch-up's.
      if (!work.more) break
    }
    // Deployments recorded since the last time, and those whose digests the new documents may prove or disprove. With
    // none stored when the last page was read, there is none to look for: one recorded since is after the mark, and
    // the next catch-up finds it as it would one recorded after this read.
    const fresh = deploymentsStored ? await deploymentsAfter(parseMark(marks[DEPLOYMENTS])) : { ids: [], mark: null }
    const touched = seq > firstSeq && deploymentsStored ? await store.alerts.deploymentsTouched(firstSeq, seq) : []
    if (fresh.ids.length > 0 || touched.length > 0) {
      // The position is saved with these findings too, so a crash cannot leave them filed and the builds' position behind.
      created.push(...(await evaluateDeployments([...fresh.ids, ...touched], { ...(fresh.mark === null ? {} : { [DEPLOYMENTS]: fresh.mark }), ...positionMarks(position) })).created)
      saved = { ...position, at: now() }
    }
    // None when the last read said so: one recorded since is after the mark, the next catch-up's.
    if (verdictChanges) created.push(...(await rejudgeVerdicts(verdicts)))
    return { evaluated, created }
  }

  // One evaluation at a time across every server sharing the store (server/coordination), so a build is judged
  // once, against a baseline that includes what the other servers stored.
  const turn = <T>(task: () => Promise<T>) => serial(() => store.coordination.exclusive('alerts', task))
  async function savePosition(): Promise<void> {
    if (position === null || saved === null || (position.seq === saved.seq && position.telemetry === saved.telemetry)) return
    // Not if another server saved a position since our last turn: it is at least as far, and its baselines decided.
    const marks = await store.alerts.marks([SEQ, TELEMETRY])
    if (Number(marks[SEQ] ?? 0) !== saved.seq || Number(marks[TELEMETRY] ?? 0) !== saved.telemetry) return
    await store.alerts.record([], now(), positionMarks(position))
    saved = { ...position, at: now() }
  }

  // Ingest asks for a catch-up after every request. One that has not started yet will read everything stored before
  // it starts, so whoever asks while it waits joins it (one evaluation for four concurrent uploads, not four queued).
  let waiting: Promise<EvaluationOutcome> | null = null
  const sharedCatchUp = (): Promise<EvaluationOutcome> => {
    waiting ??= turn(() => {
      waiting = null
      return catchUp()
    })
    return waiting
  }

  return {
    catchUp: sharedCatchUp,
    reevaluateAll: (reason) => turn(() => reevaluate(reason)),
    stop: () => turn(savePosition),
  }
}
