import { alertHandlers } from './handlers/alerts'
import { overviewHandlers } from './handlers/overview'
import { artifactHandlers } from './handlers/artifacts'
import { buildHandlers } from './handlers/builds'
import { deploymentHandlers } from './handlers/deployments'
import { gateHandlers } from './handlers/gates'
import { lineageHandlers } from './handlers/lineage'
import { logHandlers } from './handlers/log'
import { metaHandlers } from './handlers/meta'
import { reproducibilityHandlers } from './handlers/reproducibility'
import { searchHandlers } from './handlers/search'
import { signatureHandlers } from './handlers/signatures'
import { sourceHandlers } from './handlers/sources'
import { reportHandlers } from './handlers/reports'

/** Every happy-path handler, one module a resource: the same set serves the browser in dev, vitest and Playwright. */
export const handlers = [...metaHandlers, ...buildHandlers, ...artifactHandlers, ...signatureHandlers, ...reproducibilityHandlers, ...searchHandlers, ...logHandlers, ...alertHandlers, ...overviewHandlers, ...sourceHandlers, ...deploymentHandlers, ...gateHandlers, ...lineageHandlers, ...reportHandlers]
