import { z } from 'zod'
import { BuildId, DigestSet, DocumentId, Instant, Subject, VerificationStatus } from './common'

/** What an SBOM (CycloneDX or SPDX) says about the artifact it describes, as the artifact page shows it. */
export const SbomTool = z.object({ name: z.string(), version: z.string().nullable() })
export type SbomTool = z.infer<typeof SbomTool>

export const Sbom = z.object({
  documentId: DocumentId,
  /** The stored document's format: `cyclonedx-json`, `spdx-json`, `spdx3-jsonld`, or the envelope's (`dsse`). */
  format: z.string(),
  standard: z.enum(['cyclonedx', 'spdx']),
  specVersion: z.string(),
  /** CycloneDX serialNumber, SPDX 2 documentNamespace, SPDX 3 SpdxDocument spdxId. */
  serial: z.string().nullable(),
  subject: z.object({
    name: z.string().nullable(),
    version: z.string().nullable(),
    purl: z.string().nullable(),
    digest: DigestSet,
  }),
  /** The in-toto subjects when the SBOM came as an attestation predicate. */
  statementSubjects: z.array(Subject),
  componentCount: z.number().int(),
  tools: z.array(SbomTool),
  /** CycloneDX 1.5+ `formulation`, as written. */
  formulation: z.unknown(),
  status: VerificationStatus,
  ingestedAt: Instant,
  /** When the SBOM says it was made (CycloneDX metadata.timestamp, SPDX created); null when it does not. */
  createdAt: Instant.nullable(),
  /**
   * Why it is this artifact's SBOM: null when the SBOM names the artifact's digest itself; else the build that
   * wrote the SBOM file beside this artifact, through which it was linked (docs/api.md, "SBOM links").
   */
  viaBuild: BuildId.nullable(),
})
export type Sbom = z.infer<typeof Sbom>
