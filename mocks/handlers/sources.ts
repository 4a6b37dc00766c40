import { HttpResponse } from 'msw'
import { SourceList, sourceRoutes } from '../../src/contract/sources'
import { mockRoute, problem } from './route'

/*
 * Sources, as the demo server answers them: its config has none. Screens with sources are tested by giving
 * these routes other answers with `server.use`.
 */
const none = (name: string) => problem(404, 'not-found', `no source named ${name}: no sources are configured (sources: in the config file)`, 'path.name')

export const sourceHandlers = [
  mockRoute(sourceRoutes.listSources, () => HttpResponse.json(SourceList.parse({ items: [] }))),
  mockRoute(sourceRoutes.getSource, ({ params }) => none(params.name)),
  mockRoute(sourceRoutes.syncSource, ({ params }) => none(params.name)),
  mockRoute(sourceRoutes.receiveSourceEvents, ({ params }) => none(params.name)),
]
