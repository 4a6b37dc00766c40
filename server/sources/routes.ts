import { SourceList, sourceRoutes, SyncStarted } from '../../src/contract/sources'
import type { RouteDeps } from '../http/deps'
import { apiError } from '../http/errors'
import { resourceApp } from '../http/mount'
import type { SourceRunner } from './runner'

/** GET /api/v1/sources, GET /api/v1/sources/{name}, POST /api/v1/sources/{name}/sync. */
export function sourcesApp({ auth }: RouteDeps, runner: SourceRunner) {
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

  mount(sourceRoutes.syncSource, (c, { params }) => {
    const started = runner.syncNow(params.name, 'on-demand')
    if (started === undefined) return apiError(c, 404, 'not-found', unknown(params.name), 'path.name')
    return c.json(SyncStarted.parse({ name: params.name, run: started.run, alreadyRunning: started.alreadyRunning, progressUrl: `/api/v1/sources/${params.name}` }), 202)
  })

  return app
}
