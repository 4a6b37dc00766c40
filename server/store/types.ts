import type { AlertRepository } from '../alerts/store'
import type { CoordinationRepository } from '../coordination/store'
import type { ArtifactRepository } from '../artifacts/store'
import type { BuildRepository } from '../builds/store'
import type { DeploymentRepository } from '../deployments/store'
import type { DocumentRepository } from '../documents/store'
import type { GateRepository } from '../gate/store'
import type { LineageRepository } from '../lineage/store'
import type { LogRepository } from '../log/store'
import type { RebuildRepository } from '../rebuilds/store'
import type { SearchRepository } from '../search/store'
import type { SignatureRepository } from '../signatures/store'
import type { ReportRepository } from '../reports/store'
import type { SourceRepository } from '../sources/store'
import type { TelemetryRepository } from '../telemetry/store'
import type { StoreKind } from './db'
import type { SettingsRepository } from './settings'

/**
 * The store, one repository a resource. Each repository's interface lives beside its queries
 * (`server/<resource>/store.ts`) and owns its types; this file only gathers them, so types flow one way.
 */
export interface Store {
  readonly kind: StoreKind
  readonly documents: DocumentRepository
  readonly builds: BuildRepository
  readonly artifacts: ArtifactRepository
  readonly signatures: SignatureRepository
  readonly rebuilds: RebuildRepository
  readonly search: SearchRepository
  readonly log: LogRepository
  readonly telemetry: TelemetryRepository
  readonly settings: SettingsRepository
  readonly deployments: DeploymentRepository
  readonly lineage: LineageRepository
  readonly alerts: AlertRepository
  readonly sources: SourceRepository
  /** Work done once across every server on the store, and whether the store answers (server/coordination). */
  readonly coordination: CoordinationRepository
  readonly reports: ReportRepository
  /** Recorded release-gate decisions (server/gate). */
  readonly gates: GateRepository
  close(): Promise<void>
}
