import { z } from 'zod'
import { ApiErrorBody, Instant, VerificationStatus } from './common'
import { errors, type RouteSpec } from './route-spec'

/*
 * The lineage graph: where something came from and where it went, from source commit to environment, with a
 * verification state on every edge. Nodes are typed and laid out in layers by type (sources, builds, artifacts,
 * evidence, deployments, environments); an edge always points from the earlier layer to the later, except
 * `depends-on`, which points from an input artifact back to the build that used it.
 */

export const lineageNodeTypes = ['commit', 'build', 'artifact', 'attestation', 'sbom', 'rebuild', 'deployment', 'environment'] as const
export const LineageNodeType = z.enum(lineageNodeTypes)
export type LineageNodeType = z.infer<typeof LineageNodeType>

/** The layer (column, left to right) of each node type. Evidence (attestation, SBOM, rebuild) shares a layer. */
export const lineageLayer: Record<LineageNodeType, number> = {
  commit: 0,
  build: 1,
  artifact: 2,
  attestation: 3,
  sbom: 3,
  rebuild: 3,
  deployment: 4,
  environment: 5,
}

export const lineageEdgeTypes = ['built-from', 'produced', 'attests', 'describes', 'rebuilt-as', 'deployed-to', 'depends-on'] as const
export const LineageEdgeType = z.enum(lineageEdgeTypes).meta({
  description:
    'built-from: commit → build; produced: build → artifact; attests: artifact → attestation (a VSA, a deployment attestation); describes: artifact → SBOM; ' +
    'rebuilt-as: artifact → rebuild; deployed-to: artifact → deployment and deployment → environment; depends-on: input artifact → the build that used it',
})
export type LineageEdgeType = z.infer<typeof LineageEdgeType>

export const EdgeState = z.enum(['verified', 'failed', 'unverified']).meta({
  description:
    'verified: the document making the claim verified with a trusted key (and a rebuild agreed); failed: a check failed or a rebuild disagrees; unverified: no trusted signature vouches for it',
})
export type EdgeState = z.infer<typeof EdgeState>

/** Node ids are `<type>:<key>`, unique in a graph and stable across requests (the URL can hold them). */
export const LineageNodeId = z.string().min(3).max(300)

const base = {
  id: LineageNodeId,
  /** Short text to draw on the node: an artifact's name, a short commit, a build's project and time. */
  label: z.string(),
  /**
   * What the node's page is addressed by: a build id, an artifact digest (`sha256:…`), a document id, a
   * deployment id, a commit SHA, an environment name. Also a valid `from` of this route.
   */
  key: z.string(),
  /** The node's own verdict, for its accessible name ("artifact api-linux-amd64 sha256:8ebba6…, verified"). */
  state: EdgeState,
  /** Hops from the root (0 for the root). */
  distance: z.number().int().min(0),
  /** True when the node has neighbours this response did not include (depth cut or a collapsed group). */
  more: z.boolean(),
}

/**
 * Where a document came from when a source connector pulled it from a registry or CI system (`sources:` in the
 * config): which source, where it was read, and when the source first saw it. Absent when it was pushed to the API.
 */
export const LineagePulledFrom = z.object({
  /** The configured source's name. */
  source: z.string(),
  /** `oci`, `npm` or `github`; null when the source is no longer configured. */
  kind: z.string().nullable(),
  /** Where the document was read: a manifest or blob URL, an attestations URL. */
  url: z.string(),
  /** When this source first saw it. */
  at: Instant,
})
export type LineagePulledFrom = z.infer<typeof LineagePulledFrom>

/** What a verification summary attestation (SLSA VSA) says about the artifact it attests. */
export const LineageVsa = z.object({
  verifierId: z.string(),
  /** The verifier's verdict on the artifact; whether the VSA itself is to be believed is the node's `status`. */
  result: z.enum(['PASSED', 'FAILED']),
  levels: z.array(z.string()),
  policyUri: z.string().nullable(),
  timeVerified: Instant.nullable(),
})
export type LineageVsa = z.infer<typeof LineageVsa>

/** A recorded release gate decision naming the artifact (server/gate): its answer for this artifact and why. */
export const LineageGateDecision = z.object({
  id: z.string(),
  /** The answer for this artifact. */
  decision: z.enum(['allow', 'deny']),
  /** The answer for the whole release the decision was asked about. */
  release: z.enum(['allow', 'deny']),
  policy: z.string(),
  environment: z.string().nullable(),
  decidedAt: Instant,
  askedBy: z.string(),
  /** The rules this artifact failed (empty when allowed). */
  failed: z.array(z.string()),
  /** The API list of the artifact's decisions, newest first (GET /api/v1/gate/decisions?digest=…). */
  href: z.string(),
})
export type LineageGateDecision = z.infer<typeof LineageGateDecision>

export const CommitNode = z.object({
  ...base,
  type: z.literal('commit'),
  facts: z.object({ repo: z.string().nullable(), commit: z.string(), project: z.string() }),
})
export const BuildNode = z.object({
  ...base,
  type: z.literal('build'),
  facts: z.object({
    project: z.string(),
    status: VerificationStatus,
    failedCheck: z.string().nullable(),
    builderId: z.string().nullable(),
    buildType: z.string().nullable(),
    sourceRepo: z.string().nullable(),
    sourceCommit: z.string().nullable(),
    time: Instant,
    /** The provenance document's origin, when a source connector pulled it. */
    pulledFrom: LineagePulledFrom.optional(),
  }),
})
export const ArtifactNode = z.object({
  ...base,
  type: z.literal('artifact'),
  facts: z.object({
    digest: z.string(),
    name: z.string().nullable(),
    project: z.string().nullable(),
    /** Status of the best provenance naming it (verified first), or `none`. */
    provenance: z.union([VerificationStatus, z.literal('none')]),
    /** A build with verified provenance that names a source commit lists it. */
    verifiedPath: z.boolean(),
    rebuildDisagrees: z.boolean(),
    /** Deployed somewhere although it has no verified path back to a source commit. */
    deployedWithoutVerifiedProvenance: z.boolean(),
    /** The newest recorded release gate decisions naming it (at most 5), newest first; empty when none. */
    gateDecisions: z.array(LineageGateDecision).optional(),
  }),
})
export const AttestationNode = z.object({
  ...base,
  type: z.literal('attestation'),
  facts: z.object({
    documentId: z.string(),
    format: z.string(),
    predicateType: z.string().nullable(),
    status: VerificationStatus,
    failedCheck: z.string().nullable(),
    signer: z.string().nullable(),
    ingestedAt: Instant,
    /** Present when the attestation is a verification summary (SLSA VSA). */
    vsa: LineageVsa.optional(),
    pulledFrom: LineagePulledFrom.optional(),
  }),
})
export const SbomNode = z.object({
  ...base,
  type: z.literal('sbom'),
  facts: z.object({
    documentId: z.string(),
    standard: z.enum(['cyclonedx', 'spdx']),
    specVersion: z.string(),
    componentCount: z.number().int(),
    status: VerificationStatus,
    ingestedAt: Instant,
    pulledFrom: LineagePulledFrom.optional(),
  }),
})
export const RebuildNode = z.object({
  ...base,
  type: z.literal('rebuild'),
  facts: z.object({
    rebuildId: z.string(),
    documentId: z.string(),
    rebuilderId: z.string().nullable(),
    verdict: z.enum(['match', 'mismatch']),
    rebuiltDigest: z.string().nullable(),
    status: VerificationStatus,
    time: Instant,
    pulledFrom: LineagePulledFrom.optional(),
  }),
})
export const DeploymentNode = z.object({
  ...base,
  type: z.literal('deployment'),
  facts: z.object({
    environment: z.string(),
    cluster: z.string().nullable(),
    namespace: z.string().nullable(),
    region: z.string().nullable(),
    service: z.string(),
    project: z.string().nullable(),
    deployedAt: Instant,
    system: z.string(),
    runUrl: z.string().nullable(),
    recordedBy: z.enum(['api', 'attestation']),
    /** True when nothing later replaced it and it is the service's latest in its environment. */
    current: z.boolean(),
    replacedBy: z.string().nullable(),
    /** A deployed digest has no verified path back to a source commit. */
    flagged: z.boolean(),
  }),
})
export const EnvironmentNode = z.object({
  ...base,
  type: z.literal('environment'),
  facts: z.object({ name: z.string(), services: z.number().int(), flagged: z.number().int() }),
})

export const LineageNode = z.discriminatedUnion('type', [
  CommitNode,
  BuildNode,
  ArtifactNode,
  AttestationNode,
  SbomNode,
  RebuildNode,
  DeploymentNode,
  EnvironmentNode,
])
export type LineageNode = z.infer<typeof LineageNode>
export type LineageNodeOf<T extends LineageNodeType> = Extract<LineageNode, { type: T }>

export const LineageEdge = z.object({
  /** `<type>|<from>|<to>`, unique in a graph. */
  id: z.string(),
  type: LineageEdgeType,
  /** A node id, or a group id when the edge leads to a collapsed group. */
  from: z.string(),
  to: z.string(),
  state: EdgeState,
  /** Why, in one phrase: `provenance signed by trusted key demo-release-ed25519`, `rebuild reports sha256:9c1e…`. */
  reason: z.string(),
})
export type LineageEdge = z.infer<typeof LineageEdge>

/**
 * Neighbours of one node, of one type over one edge type, too many to list ("412 builds of acme/api, 98%
 * verified"). The members shown (if any) are in `nodes`; the rest are summarised here. Drawn in the layer of
 * `memberType`, joined to `anchor` by one edge of `edgeType` whose id is `group.id`.
 */
export const LineageGroup = z.object({
  /** `group:<anchor>|<edgeType>|<memberType>`, stable across requests. */
  id: z.string(),
  anchor: LineageNodeId,
  memberType: LineageNodeType,
  edgeType: LineageEdgeType,
  /** Whether the members are upstream (`up`) or downstream (`down`) of the anchor. */
  direction: z.enum(['up', 'down']),
  label: z.string(),
  /** All members, shown or not. */
  count: z.number().int(),
  /** Members included in `nodes` (the newest first, plus any expanded). */
  shown: z.number().int(),
  /** By the state of the edge that joins each member to the anchor, over all members. */
  verified: z.number().int(),
  failed: z.number().int(),
  unverified: z.number().int(),
  /** Pass in `expand` to show the next members; null when all are shown. */
  expandCursor: z.string().nullable(),
})
export type LineageGroup = z.infer<typeof LineageGroup>

export const LineageTruncation = z.object({
  /** True when the graph is not the whole neighbourhood to `depth`: a limit cut it or groups hide members. */
  cut: z.boolean(),
  /** Nodes whose further neighbours were left out, and why. */
  at: z.array(
    z.object({
      node: LineageNodeId,
      reason: z.enum(['depth', 'node-limit', 'grouped']),
    }),
  ),
  /** The most nodes one response holds; reaching it cuts the walk where it was. */
  nodeLimit: z.number().int(),
})
export type LineageTruncation = z.infer<typeof LineageTruncation>

export const LineageGraph = z.object({
  root: LineageNodeId,
  /** What `from` was read as. */
  resolvedAs: z.enum(['digest', 'digest-prefix', 'commit', 'build', 'deployment', 'environment']),
  depth: z.number().int(),
  direction: z.enum(['up', 'down', 'both']),
  nodes: z.array(LineageNode),
  edges: z.array(LineageEdge),
  groups: z.array(LineageGroup),
  truncated: LineageTruncation,
})
export type LineageGraph = z.infer<typeof LineageGraph>

/** The expand cursors of groups to open, comma-separated, as the URL keeps them. */
const expandList = z
  .string()
  .max(4096)
  .optional()
  .transform((text) => (text ? text.split(',').map((part) => part.trim()).filter((part) => part !== '') : []))
  .pipe(z.array(z.string().regex(/^[A-Za-z0-9_-]{1,400}$/, 'an expand cursor is one a group of this route returned')).max(20))

export const LineageQuery = z.object({
  from: z
    .string()
    .trim()
    .min(1, 'from names where the graph starts: a digest, digest prefix, commit, build id or deployment id')
    .max(300)
    .meta({
      description:
        'sha256:<hex> or a hex prefix of at least 12 (artifact), a commit SHA or prefix of at least 7, a build id, a deployment id, or env:<name>',
    }),
  depth: z.coerce.number().int().min(1, 'depth is 1 to 6').max(6, 'depth is 1 to 6').default(3),
  direction: z.enum(['up', 'down', 'both']).default('both'),
  expand: expandList.meta({ description: 'expand cursors of groups to open, comma-separated' }),
})
export type LineageQuery = z.infer<typeof LineageQuery>
export type LineageQueryInput = z.input<typeof LineageQuery>

/** The 409 body: `from` matches several things; each candidate is a valid, unambiguous `from`. */
export const LineageAmbiguous = ApiErrorBody.extend({
  error: ApiErrorBody.shape.error.extend({
    candidates: z.array(z.object({ type: LineageNodeType, key: z.string(), label: z.string() })),
  }),
})
export type LineageAmbiguous = z.infer<typeof LineageAmbiguous>

/** The lineage routes, declared once: mounted by the server, published as OpenAPI. */
export const lineageRoutes = {
  getLineage: {
    method: 'get',
    path: '/api/v1/lineage',
    summary: 'The lineage graph around a digest, commit, build or deployment: typed nodes and edges, each edge with its verification state',
    scope: 'read',
    query: LineageQuery,
    responses: {
      200: { description: 'The graph; large neighbourhoods grouped, and where it was cut', schema: LineageGraph },
      ...errors,
      404: { description: 'Nothing matches `from`; the message names what was looked up', schema: ApiErrorBody },
      409: { description: '`from` is a prefix of several things; the candidates are listed', schema: LineageAmbiguous },
    },
  },
} as const satisfies Record<string, RouteSpec>
