import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import { Policy } from '../src/contract/policy'
import { AlertWebhookConfig, type AlertWebhook } from './alerts/webhook-config'
import type { IngestContext } from './ingest/format'
import { loadPublicKey, type TrustedKey } from './ingest/keys'
import { loadNpmRegistryKeys } from './ingest/npm-attestations'
import { loadSigstoreTrust, type SigstoreKey, type SigstoreTrust } from './ingest/sigstore/trust-material'
import { SourcesConfig, type SourceConfig } from './sources/config'

/** `gate`: ask the release gate and record its decision (POST /api/v1/gate), and nothing else: the scope a CI pipeline's token needs. */
export const scopes = ['ingest', 'read', 'triage', 'gate'] as const
export type Scope = (typeof scopes)[number]

const ConfigFile = z
  .object({
    trust: z
      .object({
        keys: z
          .array(
            z
              .object({
                id: z.string().min(1, 'a key needs an id'),
                publicKeyPem: z.string().includes('BEGIN PUBLIC KEY', { message: 'expected a PEM public key (-----BEGIN PUBLIC KEY-----)' }),
              })
              .strict(),
          )
          .default([]),
        trustedRoots: z.array(z.string().min(1)).default([]).meta({ description: 'paths of Sigstore trusted_root.json files, relative to the config file' }),
        npmRegistryKeys: z.string().min(1).optional().meta({ description: "path of npm's registry keys.json (Sigstore-TUF target), for npm publish attestations" }),
      })
      .strict()
      .default({ keys: [], trustedRoots: [] }),
    tokens: z
      .array(
        z
          .object({
            name: z.string().min(1),
            sha256: z
              .string()
              .regex(/^[0-9a-fA-F]{64}$/, 'expected the SHA-256 of the token as 64 hex characters (`printf %s "$TOKEN" | sha256sum`)')
              .transform((hex) => hex.toLowerCase()),
            scopes: z.array(z.enum(scopes)).min(1, 'give the token at least one scope: ingest, read, triage or gate'),
          })
          .strict(),
      )
      .default([]),
    auth: z
      .object({ readRequiresToken: z.boolean().default(false) })
      .strict()
      .default({ readRequiresToken: false }),
    policies: z.array(Policy).default([]),
    /** Outgoing webhook for new alerts (docs/alerts.md). */
    alerts: z.object({ webhook: AlertWebhookConfig.optional() }).strict().optional(),
    github: z
      .object({
        webhookSecret: z
          .string({ message: 'github.webhookSecret must be a string: the secret set on the GitHub webhook' })
          .min(1, 'github.webhookSecret is empty: copy the secret set on the GitHub webhook (a long random string)'),
      })
      .strict()
      .optional(),
    limits: z
      .object({ maxBodyBytes: z.number().int().min(1024).max(1024 * 1024 * 1024).default(10 * 1024 * 1024) })
      .strict()
      .default({ maxBodyBytes: 10 * 1024 * 1024 }),
    /** Registries and CI systems to pull evidence from (server/sources/config.ts). */
    sources: SourcesConfig,
  })
  .strict()

export type ConfigFile = z.input<typeof ConfigFile>

export type Config = {
  source: string
  keys: TrustedKey[]
  /** Fulcio CAs, Rekor and timestamp keys from the trusted roots, and keys by hint (plain keys, npm's registry). */
  sigstore: SigstoreTrust
  /** Where the trust files came from, for the verification fingerprint. */
  trustFiles: string[]
  tokens: { name: string; sha256: string; scopes: Scope[] }[]
  readRequiresToken: boolean
  maxBodyBytes: number
  /** Secret of the GitHub webhook (`github.webhookSecret`); without it POST /api/v1/webhooks/github answers 403. */
  githubWebhookSecret?: string
  policies: Policy[]
  /** Where new alerts at or above a severity are posted, signed with HMAC-SHA256 (docs/alerts.md). */
  alertWebhook?: AlertWebhook
  /** Sources to pull from (absent: none); their secrets stay in the environment variables they name. */
  sources?: SourceConfig[]
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '')
}

function readJsonFile(path: string, field: string, source: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'))
  } catch (error) {
    throw new ConfigError(`${source}: ${field}: cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`)
  }
}

/** Validates a parsed config; every error names the file and the field. Relative paths are from `baseDir`. */
export function buildConfig(value: unknown, source: string, baseDir = process.cwd()): Config {
  const result = ConfigFile.safeParse(value ?? {})
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${formatPath(issue.path) || '(top level)'}: ${issue.message}`)
    throw new ConfigError(`${source} is not a valid config:\n${problems.join('\n')}`)
  }
  const file = result.data
  const keys = file.trust.keys.map((entry, index) => {
    try {
      return loadPublicKey(entry.id, entry.publicKeyPem)
    } catch (error) {
      throw new ConfigError(`${source}: trust.keys[${index}].publicKeyPem (${entry.id}): ${error instanceof Error ? error.message : String(error)}`)
    }
  })
  for (const [index, policy] of file.policies.entries()) {
    for (const [signerIndex, signer] of policy.signers.entries()) {
      if (signer.keyId !== undefined && !keys.some((key) => key.id === signer.keyId)) {
        throw new ConfigError(`${source}: policies[${index}].signers[${signerIndex}].keyId: "${signer.keyId}" is not a key in trust.keys`)
      }
      if (signer.subjectAlternativeName?.startsWith('/') && signer.subjectAlternativeName.endsWith('/')) {
        try {
          new RegExp(signer.subjectAlternativeName.slice(1, -1))
        } catch (error) {
          throw new ConfigError(`${source}: policies[${index}].signers[${signerIndex}].subjectAlternativeName: ${error instanceof Error ? error.message : String(error)}`)
        }
      }
    }
  }
  const seen = new Set<string>()
  for (const [index, key] of keys.entries()) {
    if (seen.has(key.id)) throw new ConfigError(`${source}: trust.keys[${index}].id: "${key.id}" is used twice`)
    seen.add(key.id)
  }
  const trustFiles: string[] = []
  const roots = file.trust.trustedRoots.map((path, index) => {
    const full = resolve(baseDir, path)
    trustFiles.push(readFileSync(full, 'utf8'))
    return readJsonFile(full, `trust.trustedRoots[${index}]`, source)
  })
  let npmKeys: SigstoreKey[] = []
  if (file.trust.npmRegistryKeys) {
    const full = resolve(baseDir, file.trust.npmRegistryKeys)
    trustFiles.push(readFileSync(full, 'utf8'))
    try {
      npmKeys = loadNpmRegistryKeys(readJsonFile(full, 'trust.npmRegistryKeys', source))
    } catch (error) {
      throw new ConfigError(`${source}: trust.npmRegistryKeys (${full}): ${error instanceof Error ? error.message : String(error)}`)
    }
  }
  let sigstore: SigstoreTrust
  try {
    sigstore = loadSigstoreTrust(roots, [...keys, ...npmKeys])
  } catch (error) {
    throw new ConfigError(`${source}: trust.trustedRoots: ${error instanceof Error ? error.message : String(error)}`)
  }
  return {
    source,
    keys,
    sigstore,
    trustFiles,
    tokens: file.tokens,
    readRequiresToken: file.auth.readRequiresToken,
    maxBodyBytes: file.limits.maxBodyBytes,
    ...(file.github ? { githubWebhookSecret: file.github.webhookSecret } : {}),
    policies: file.policies,
    ...(file.alerts?.webhook ? { alertWebhook: file.alerts.webhook } : {}),
    sources: file.sources,
  }
}

/** Reads a JSON or YAML config file. */
export function loadConfigFile(path: string): Config {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new ConfigError(`cannot read PROVENANCE_CONFIG ${path}: ${error instanceof Error ? error.message : String(error)}`)
  }
  let value: unknown
  try {
    value = /\.json$/i.test(path) ? JSON.parse(text) : parseYaml(text)
  } catch (error) {
    throw new ConfigError(`${path} is neither valid ${/\.json$/i.test(path) ? 'JSON' : 'YAML'}: ${error instanceof Error ? error.message : String(error)}`)
  }
  return buildConfig(value, path, dirname(resolve(path)))
}

/** Everything reading a document needs from the config, in one place, so every ingest path verifies alike. */
export function ingestContext(config: Config, now: () => number = Date.now): IngestContext {
  return { keys: config.keys, policies: config.policies, sigstore: config.sigstore, now }
}
