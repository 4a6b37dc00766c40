import { z } from 'zod'
import { AlertPolicySettings } from './alerts'
import { GateRules } from './gate'
import { errors, type RouteSpec } from './route-spec'

const pattern = z.string().min(1).max(1024)

/** An identity a project's documents may be signed by: a configured key, or a Sigstore certificate identity. */
export const SignerIdentity = z
  .object({
    keyId: z.string().min(1).optional().meta({ description: 'id of a key in trust.keys' }),
    subjectAlternativeName: pattern.optional().meta({ description: 'certificate SAN: exact, or /regex/' }),
    issuer: pattern.optional().meta({ description: 'OIDC issuer of the certificate, e.g. https://token.actions.githubusercontent.com' }),
    repository: pattern.optional().meta({ description: 'Fulcio source repository extension (glob)' }),
    workflow: pattern.optional().meta({ description: 'Fulcio build signer URI / workflow (glob)' }),
    ref: pattern.optional().meta({ description: 'Fulcio source repository ref (glob)' }),
  })
  .strict()
  .refine((signer) => Object.values(signer).some((value) => value !== undefined), { message: 'a signer needs keyId or certificate fields' })
export type SignerIdentity = z.infer<typeof SignerIdentity>

export const Policy = z
  .object({
    name: z.string().min(1),
    /** Source repositories this policy governs; `*` matches within one path segment, `**` across segments. */
    repositories: z.array(pattern).min(1, 'name at least one repository pattern, e.g. https://github.com/acme/*'),
    /** Any one of these must have signed; empty or absent means any trusted signer. */
    signers: z.array(SignerIdentity).default([]),
    /** Checks that must be present and pass, e.g. transparency-log, certificate-identity. */
    requiredChecks: z.array(z.string().min(1)).default([]),
    /** Allowed builder ids (glob); empty means any. */
    builders: z.array(pattern).default([]),
    /** Allowed build types (glob); empty means any. */
    buildTypes: z.array(pattern).default([]),
    /** Pinned tool versions (tool name → exact version); builds using other versions are anomalies. */
    toolchain: z.record(z.string().min(1), z.string().min(1)).default({}),
    /** Hosts builds may contact (glob, e.g. *.npmjs.org); others are anomalies. Empty means no allow-list. */
    allowedHosts: z.array(pattern).default([]),
    /** Which anomaly rules run for the project, at which severity, and how baselines are learned (defaults apply). */
    alerts: AlertPolicySettings.optional(),
    /** The release gate POST /api/v1/gate judges artifacts by under this policy. */
    gate: GateRules.optional(),
  })
  .strict()
export type Policy = z.infer<typeof Policy>
export type PolicyInput = z.input<typeof Policy>

export const PolicyList = z.object({ policies: z.array(Policy) })
export type PolicyList = z.infer<typeof PolicyList>

/** The policy routes, declared once: mounted by the server, published as OpenAPI. */
export const policyRoutes = {
  getPolicy: {
    method: 'get',
    path: '/api/v1/policy',
    summary: 'The per-project policies in force: signers, required checks, builders, pinned toolchain, allowed hosts',
    scope: 'read',
    responses: { 200: { description: 'Policies, in matching order', schema: PolicyList }, ...errors },
  },
} as const satisfies Record<string, RouteSpec>
