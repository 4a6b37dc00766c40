import { z } from 'zod'
import { AlertSeverity } from './alerts'
import { ApiErrorBody, Instant, optionalText } from './common'
import { errors, type RouteSpec } from './route-spec'
import { ExpectedDigest } from './verify'

/**
 * A policy's release gate (`gate` in a policy of the config file): what an artifact needs before a pipeline may
 * promote it. Builders come from the policy's own `builders`.
 */
/** An environment name as deployments record it (`staging`, `production`). */
const EnvironmentName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'an environment name is letters, digits, `.`, `_` or `-`, as deployments record it')

/**
 * Kinds of attestation a gate can require, each verified (its own document's verdict is `verified`):
 * `slsa-provenance`, a SLSA provenance (predicate https://slsa.dev/provenance/…) listing the artifact; `sbom`, an
 * SBOM (CycloneDX or SPDX) about it; `vsa`, a SLSA verification summary about it whose result is PASSED;
 * `test-result`, an in-toto test result (https://in-toto.io/attestation/test-result/v0.1) about it whose result is
 * PASSED. For VSAs and test results the newest one that fits decides, so a later FAILED outweighs an earlier PASSED.
 */
export const gateAttestationKinds = ['slsa-provenance', 'sbom', 'vsa', 'test-result'] as const
export const GateAttestationKind = z.enum(gateAttestationKinds)
export type GateAttestationKind = z.infer<typeof GateAttestationKind>

const text = z.string().min(1, 'must not be empty')

/**
 * A VSA requirement with conditions: `verifierId` (a glob, as builders are: `*` within a path segment, `**`
 * across), `policyUri` (exact: the predicate's `policy.uri`) and `verifiedLevels` (each listed by the VSA, e.g.
 * `SLSA_BUILD_LEVEL_3`). Only a VSA that fits them counts. A VSA whose result is FAILED never satisfies the gate: it
 * is the verifier's no.
 */
export const VsaRequirement = z
  .object({
    kind: z.literal('vsa'),
    verifierId: text.optional(),
    policyUri: text.optional(),
    verifiedLevels: z.array(text).default([]),
  })
  .strict()
export type VsaRequirement = z.infer<typeof VsaRequirement>

/** A test-result requirement: `allowWarned` lets a run whose result is WARNED pass too (default: PASSED only). */
export const TestResultRequirement = z.object({ kind: z.literal('test-result'), allowWarned: z.boolean().default(false) }).strict()
export type TestResultRequirement = z.infer<typeof TestResultRequirement>

const kindsMessage = `expected one of ${gateAttestationKinds.join(', ')}, or an object with \`kind\` vsa or test-result and its conditions`

/**
 * One entry of `requiredAttestations`: a kind by name, or `{ kind: vsa | test-result, …conditions }`. A plain union
 * (no transform), so the config's JSON Schema in the OpenAPI document shows both forms; an object with a known
 * `kind` reports its own field's problem, anything else the list of kinds.
 */
export const GateAttestationRequirement = z.union([GateAttestationKind, z.discriminatedUnion('kind', [VsaRequirement, TestResultRequirement])], {
  error: (issue) => {
    if (issue.code !== 'invalid_union') return undefined
    // An object of a known kind with a field of the wrong type: say that field, not the list of kinds.
    const input: unknown = issue.input
    const kind = typeof input === 'object' && input !== null && 'kind' in input ? input.kind : undefined
    const inner = 'errors' in issue && Array.isArray(issue.errors) ? (issue.errors as z.core.$ZodIssue[][])[1]?.[0] : undefined
    if ((kind === 'vsa' || kind === 'test-result') && inner !== undefined) return `${inner.path.map(String).join('.')}: ${inner.message}`
    return kindsMessage
  },
})
export type GateAttestationRequirement = z.output<typeof GateAttestationRequirement>

export const GateRules = z
  .object({
    /** At least this many independent rebuilders must have reproduced the artifact bit for bit (0: not required). */
    minRebuildersAgree: z.number().int().min(0).max(100).default(0),
    /** An open alert on the artifact's project at or above this severity denies; absent: alerts do not block. */
    blockOnAlertsAtOrAbove: AlertSeverity.optional(),
    /** Attestations the artifact must have, each verified (GateAttestationRequirement). */
    requiredAttestations: z
      .array(GateAttestationRequirement)
      .default([])
      .refine((requirements) => new Set(requirements.map((requirement) => JSON.stringify(requirement))).size === requirements.length, 'each requirement once'),
    /**
     * Promotion order: target environment → environments the artifact must have been deployed to before it, e.g.
     * `{ production: [staging] }`. Judged when the request names the environment it promotes to.
     */
    promotion: z
      .record(EnvironmentName, z.array(EnvironmentName).min(1, 'name at least one environment that comes first'))
      .default({})
      .superRefine((order, ctx) => {
        for (const [target, before] of Object.entries(order)) {
          if (before.includes(target)) ctx.addIssue({ code: 'custom', message: `${target} cannot come before itself`, path: [target] })
        }
      }),
  })
  .strict()
export type GateRules = z.infer<typeof GateRules>

export const GateRequest = z
  .object({
    /** One artifact, or a release of several (at most 200), as `sha256:<64 hex>`. */
    digests: z.array(ExpectedDigest).min(1, 'name at least one artifact digest').max(200, 'at most 200 artifacts a decision'),
    policy: z.string().min(1, 'name the policy whose gate decides'),
    /** The environment the artifacts are to be promoted to: the policy's promotion order for it is judged. */
    environment: EnvironmentName.optional(),
  })
  .strict()
export type GateRequest = z.input<typeof GateRequest>

/** Stable rule names, in the order a decision lists them. */
export const gateRuleNames = ['provenance-verified', 'builder-allowed', 'attestations-present', 'rebuilders-agree', 'no-blocking-alerts', 'promotion-order'] as const

export const GateReason = z.object({
  /** Stable name: one of gateRuleNames (`provenance-verified`, `builder-allowed`, …). */
  rule: z.string(),
  ok: z.boolean(),
  expected: z.string(),
  actual: z.string(),
  /** API paths of the evidence: the build, the artifact, the alerts, the deployments. */
  evidence: z.array(z.string()),
})
export type GateReason = z.infer<typeof GateReason>

export const GateArtifactDecision = z.object({ digest: z.string(), decision: z.enum(['allow', 'deny']), reasons: z.array(GateReason) })
export type GateArtifactDecision = z.infer<typeof GateArtifactDecision>

/** A decision as it is answered and recorded: who asked, when, for what, and the answer with every reason. */
export const GateDecision = z.object({
  /** 64 hex characters; the decision is listed at GET /api/v1/gate/decisions. */
  id: z.string().regex(/^[0-9a-f]{64}$/),
  decidedAt: Instant,
  /** The name of the token that asked, or `anonymous` when reads need no token and none was sent. */
  askedBy: z.string(),
  decision: z.enum(['allow', 'deny']),
  policy: z.string(),
  environment: z.string().nullable(),
  artifacts: z.array(GateArtifactDecision),
  /** False for a dry run (`?record=false`): the answer was given and kept nowhere, so the decision list lacks it. */
  recorded: z.boolean().default(true),
})
export type GateDecision = z.infer<typeof GateDecision>

/** Query of `POST /api/v1/gate`. */
export const GateDecideQuery = z.object({
  record: z
    .enum(['true', 'false'], { error: 'record is true or false' })
    .default('true')
    .transform((value) => value === 'true')
    .meta({ description: '`false`: a dry run, answered with the read scope and recorded nowhere; default `true`: recorded, needs scope `gate` or `ingest`' }),
})

/** Query of `GET /api/v1/gate/decisions`, newest first. */
export const GateDecisionQuery = z.object({
  digest: ExpectedDigest.optional().meta({ description: 'only decisions about this artifact (`sha256:<64 hex>`)' }),
  project: optionalText.meta({ description: 'only decisions about an artifact of this project, e.g. `acme/api`' }),
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(20),
})
export type GateDecisionQuery = z.infer<typeof GateDecisionQuery>
export type GateDecisionQueryInput = z.input<typeof GateDecisionQuery>

export const GateDecisionPage = z.object({
  items: z.array(GateDecision),
  /** Pass as `cursor` for the next page; null on the last. */
  nextCursor: z.string().nullable(),
})
export type GateDecisionPage = z.infer<typeof GateDecisionPage>

/** The release gate, declared once: mounted by the server, published as OpenAPI. */
export const gateRoutes = {
  decideGate: {
    method: 'post',
    path: '/api/v1/gate',
    summary:
      'Allow or deny promoting artifacts under a policy’s gate, with every reason and its evidence. Recording the decision (the default) needs a token with scope `gate` or `ingest`; `?record=false` answers with the read scope and records nothing',
    // The scope of a recorded decision; a dry run (record=false) needs only what reads need (server/gate/routes.ts).
    scope: 'gate',
    query: GateDecideQuery,
    body: { contentTypes: ['application/json'], description: 'GateRequest: `{ digests: ["sha256:…"], policy: "release", environment?: "production" }`' },
    responses: {
      200: { description: 'The decision, recorded unless record=false: allow only when every artifact passes every rule', schema: GateDecision },
      ...errors,
      422: { description: 'The policy is unknown or has no gate', schema: ApiErrorBody },
    },
  },
  listGateDecisions: {
    method: 'get',
    path: '/api/v1/gate/decisions',
    summary: 'Recorded gate decisions, newest first: who asked, when, for what and the answer; by artifact digest or project, with cursor pagination',
    scope: 'read',
    query: GateDecisionQuery,
    responses: { 200: { description: 'A page of decisions', schema: GateDecisionPage }, ...errors },
  },
} as const satisfies Record<string, RouteSpec>
