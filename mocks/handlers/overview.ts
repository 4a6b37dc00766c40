import { HttpResponse } from 'msw'
import { Overview, overviewRoutes, type StatusTally } from '../../src/contract/overview'
import { unverifiedRunning } from '../../domain/deployment-provenance'
import { demoIndex } from '../data/demo-index'
import { toSummary } from '../data/factories'
import { demoDeploymentsDb } from '../data/lineage-deployments'
import { demoAlerts, expireWaivers, now } from './alerts'
import { mockRoute } from './route'

/*
 * The overview in the mocks, counted from the same demo builds, rebuild verdicts and alerts the other handlers
 * answer with, over the same whole UTC days as the server (server/overview/store.ts).
 */

const DAY = 86_400_000
const dayText = (ms: number) => new Date(ms).toISOString().slice(0, 10)

export const overviewHandlers = [
  mockRoute(overviewRoutes.getOverview, ({ query }) => {
    const index = demoIndex()
    const day = query.day ?? dayText(now())
    const end = Date.parse(`${day}T00:00:00Z`) + DAY
    const builds = index.details.map((detail) => ({ time: Date.parse(detail.time), status: detail.status, detail }))
    const verdicts = index.rebuilds.map((entry) => ({ time: entry.time, verdict: entry.facts.verdict }))
    const inRange = (time: number, days: number, back = 0) => time >= end - (days + back) * DAY && time < end - back * DAY
    const tally = (days: number, back = 0): StatusTally => {
      const counts: StatusTally = { verified: 0, failed: 0, untrusted: 0, unsigned: 0, unverifiable: 0 }
      for (const build of builds) if (inRange(build.time, days, back)) counts[build.status]++
      return counts
    }
    const rebuilt = (days: number, back = 0) => {
      const chosen = verdicts.filter((verdict) => inRange(verdict.time, days, back))
      return { match: chosen.filter((verdict) => verdict.verdict === 'match').length, mismatch: chosen.filter((verdict) => verdict.verdict === 'mismatch').length }
    }
    const window = (days: number) => ({ from: dayText(end - days * DAY), to: dayText(end - DAY) })
    const reproducibility = (days: number) => {
      const current = rebuilt(days)
      const previous = rebuilt(days, days)
      return { window: window(days), ...current, previousMatch: previous.match, previousMismatch: previous.mismatch }
    }
    expireWaivers()
    const openAlerts = { critical: 0, high: 0, medium: 0, low: 0 }
    for (const { alert } of demoAlerts().values()) if (alert.state === 'open') openAlerts[alert.severity]++
    const start = end - 30 * DAY
    const daily = Array.from({ length: 30 }, (_, offset) => {
      const from = start + offset * DAY
      const these = builds.filter((build) => build.time >= from && build.time < from + DAY)
      const rebuilds = verdicts.filter((verdict) => verdict.time >= from && verdict.time < from + DAY)
      return {
        day: dayText(from),
        builds: these.length,
        verified: these.filter((build) => build.status === 'verified').length,
        match: rebuilds.filter((verdict) => verdict.verdict === 'match').length,
        mismatch: rebuilds.filter((verdict) => verdict.verdict === 'mismatch').length,
      }
    })
    const recentFailures = builds
      .filter((build) => build.status === 'failed' && build.time < end)
      .slice(0, 5)
      .map(({ detail }) => toSummary(detail))
    return HttpResponse.json(
      Overview.parse({
        day,
        generatedAt: new Date(now()).toISOString(),
        openAlerts,
        verification: {
          last7: { window: window(7), counts: tally(7), previous: tally(7, 7) },
          last30: { window: window(30), counts: tally(30), previous: tally(30, 30) },
        },
        reproducibility: { last7: reproducibility(7), last30: reproducibility(30) },
        daily,
        recentFailures,
        unverifiedDeployments: unverifiedRunning(demoDeploymentsDb().environments()),
      }),
    )
  }),
]
