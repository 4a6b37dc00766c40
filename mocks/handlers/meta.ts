import { HttpResponse } from 'msw'
import { metaRoutes, type OwnBuild } from '../../src/contract/meta'
import { serverMeta } from '../data/factories'
import { mockRoute } from './route'

/** The mocks run from no build of their own, so they compare none, as the server says when it runs from source. */
const noOwnBuild: OwnBuild = { compared: false, reason: 'the mocks run no build of their own to compare' }

export const metaHandlers = [mockRoute(metaRoutes.meta, () => HttpResponse.json(serverMeta())), mockRoute(metaRoutes.ownBuild, () => HttpResponse.json(noOwnBuild))]
