import { alertRoutes } from './alerts'
import { overviewRoutes } from './overview'
import { artifactRoutes } from './artifacts'
import { attestationRoutes } from './attestations'
import { buildRoutes } from './builds'
import { deploymentRoutes } from './deployments'
import { documentRoutes } from './documents'
import { lineageRoutes } from './lineage'
import { logRoutes } from './log'
import { metaRoutes } from './meta'
import { policyRoutes } from './policy'
import { rebuildRoutes } from './rebuilds'
import { reportRoutes } from './reports'
import { reproducibilityRoutes } from './reproducibility'
import { reverifyRoutes } from './reverify'
import { searchRoutes } from './search'
import { signatureRoutes } from './signatures'
import { sourceRoutes } from './sources'
import { telemetryRoutes } from './telemetry'
import { verifyRoutes } from './verify'
import { gateRoutes } from './gate'
import type { RouteSpec } from './route-spec'

/**
 * Every route of the Provenance API, gathered from the resource modules that declare them. The server mounts
 * each from its declaration and the OpenAPI document lists them in this order.
 */
export const routes = {
  ...metaRoutes,
  ...attestationRoutes,
  ...documentRoutes,
  ...buildRoutes,
  ...policyRoutes,
  ...reverifyRoutes,
  ...logRoutes,
  ...telemetryRoutes,
  ...artifactRoutes,
  ...signatureRoutes,
  ...rebuildRoutes,
  ...reproducibilityRoutes,
  ...searchRoutes,
  ...alertRoutes,
  ...overviewRoutes,
  ...sourceRoutes,
  ...deploymentRoutes,
  ...lineageRoutes,
  ...reportRoutes,
  ...verifyRoutes,
  ...gateRoutes,
} as const satisfies Record<string, RouteSpec>

export type RouteId = keyof typeof routes
export type { RouteSpec }
