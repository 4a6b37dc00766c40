import { bodyLimit } from 'hono/body-limit'
import { zodProblem } from '../../src/contract/route-spec'
import { SourceEventsAccepted, SourceList, sourceRoutes, SyncStarted, type SyncRun } from '../../src/contract/sources'
import { startOnce } from '../coordination/start-once'
import type { RouteDeps } from '../http/deps'
import { apiError } from '../http/errors'
import { resourceApp } from '../http/mount'
import { EventEnvelope, EVENTS_MEDIA_TYPE } from './oci/events'
import { syncJob, type SourceRunner } from './runner'

/** How long a manual sync waits for another server's run to show in the store before saying it is busy. */
const JOIN_WAIT_MS = 10_000
const JOIN_POLL_MS = 100

/** GET /api/v1/sources, GET /api/v1/sources/{name}, POST /api/v1/sources/{name}/sync and …/events. */
export function sourcesApp({ auth, store, config }: RouteDeps, runner: SourceRunner) {
  const { app, mount } = resourceApp(auth)
  const unknown = (name: string) =>
    runner.sources.length === 0
      ? `no source named ${name}: no sources are configured (sources: in the config file)`
      : `no source named ${name}; configured: ${runner.sources.map((source) => source.name).join(', ')}`

  mount(sourceRoutes.listSources, async (c) => c.json(SourceList.parse({ items: await runner.list() })))

  mount(sourceRoutes.getSource, async (c, { params }) => {
    const source = await runner.get(params.name)
    if (source === undefined) return apiError(c, 404, 'not-found', unknown(params.name), 'path.name')
    return c.json(source)
  })

  // A manual sync runs once across the servers sharing a database: the server that takes the source's job starts
  // it; any other asked meanwhile joins the run in progress (which the store shows, saved every second) instead of
  // starting a second one against the same registry.
  mount(sourceRoutes.syncSource, async (c, { params }) => {
    if (runner.find(params.name) === undefined) return apiError(c, 404, 'not-found', unknown(params.name), 'path.name')
    const answer = (run: SyncRun, alreadyRunning: boolean) =>
      c.json(SyncStarted.parse({ name: params.name, run, alreadyRunning, progressUrl: `/api/v1/sources/${params.name}` }), 202)
    const giveUpAt = Date.now() + JOIN_WAIT_MS
    for (;;) {
      const started = await startOnce(store.coordination, syncJob(params.name), () => {
        const begun = runner.syncNow(params.name, 'on-demand')
        if (begun === undefined) throw new Error(`source ${params.name} vanished from the config`)
        return { value: begun, done: runner.settled(params.name) }
      })
      if (started !== null) return answer(started.run, started.alreadyRunning)
      const running = (await runner.get(params.name))?.lastRun
      if (running?.state === 'running') return answer(running, true)
      // The job's holder has not saved its run yet, or is only deciding that a scheduled sync is not due.
      if (Date.now() > giveUpAt) {
        return apiError(c, 503, 'source-busy', `another server holds source ${params.name}'s sync job but shows no running sync; retry in a few seconds`, 'path.name')
      }
      await new Promise((resolve) => setTimeout(resolve, JOIN_POLL_MS))
    }
  })

  // The change feed: a registry's notifications. The delivery is read whole and checked before anything is stored,
  // so a bad body changes nothing; what is kept is stored before the 202, so an answered event is never lost.
  mount(
    sourceRoutes.receiveSourceEvents,
    async (c, { params }) => {
      const source = runner.find(params.name)
      if (source === undefined) return apiError(c, 404, 'not-found', unknown(params.name), 'path.name')
      if (source.kind !== 'oci' || source.changeFeed === undefined) {
        return apiError(
          c,
          409,
          'change-feed-not-configured',
          `source ${params.name} has no change feed: add changeFeed: {} to its entry under sources: in the config file (only oci sources have one)`,
          'path.name',
        )
      }
      const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
      if (type !== EVENTS_MEDIA_TYPE && type !== 'application/json') {
        return apiError(c, 415, 'unsupported-media-type', `Content-Type must be ${EVENTS_MEDIA_TYPE} (as the registry sends) or application/json, not ${type || 'missing'}`, 'header.content-type')
      }
      let body: unknown
      try {
        body = JSON.parse(await c.req.text())
      } catch {
        return apiError(c, 400, 'invalid-json', 'the body is not JSON: expected the registry\'s event envelope { "events": [...] }', 'body')
      }
      const parsed = EventEnvelope.safeParse(body)
      if (!parsed.success) {
        const problem = zodProblem(parsed.error, 'body', body)
        return apiError(c, 400, 'invalid-events', `${problem.message} (expected the registry's event envelope { "events": [{ "id", "action", "target": { "repository", … } }] })`, problem.path)
      }
      const accepted = await runner.receiveEvents(params.name, parsed.data)
      if (accepted === undefined || accepted === null) return apiError(c, 404, 'not-found', unknown(params.name), 'path.name')
      return c.json(SourceEventsAccepted.parse(accepted), 202)
    },
    bodyLimit({
      maxSize: config.maxBodyBytes,
      onError: (c) => apiError(c, 413, 'body-too-large', `the body is larger than the limit of ${config.maxBodyBytes} bytes (limits.maxBodyBytes)`, 'body'),
    }),
  )

  return app
}
