import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { Check, Verification } from '../../src/contract/common'
import type { SignerIdentity } from '../../src/contract/policy'
import { ExpectedDigest } from '../../src/contract/verify'
import { buildConfig, ConfigError, ingestContext, type Config } from '../config'
import { IngestError } from '../ingest/errors'
import { GateDecision } from '../../src/contract/gate'
import { ApiErrorBody } from '../../src/contract/common'
import { judgeDocument } from './judge'

/*
 * `provenance-dashboard`, the command-line client. `verify-bundle` speaks the Sigstore client conformance protocol
 * and judges a bundle offline with the very code POST /api/v1/attestations and POST /api/v1/verify use
 * (server/verify/judge.ts → prepareDocument), so the conformance suite run through it measures the dashboard.
 * Exit status: 0 verified, 1 not verified (the failing check on stderr), 2 the command could not be run as given.
 */

export type Output = { write(text: string): unknown }
export type Io = { stdout: Output; stderr: Output; cwd: string; fetch?: (url: string, init: RequestInit) => Promise<Response> }

const USAGE = `usage:
  provenance-dashboard verify-bundle --bundle FILE
      (--certificate-identity ID --certificate-oidc-issuer ISSUER | --key KEY.pub)
      [--trusted-root FILE]... [--staging] (ARTIFACT | sha256:HEX)
  provenance-dashboard gate --url URL [--token TOKEN] --policy NAME [--environment ENV] [--dry-run] sha256:HEX...
      (exit 0 allow, 1 deny, 2 the dashboard could not answer; TOKEN also from PROVENANCE_TOKEN, with scope
      gate or ingest: the decision is recorded; --dry-run records nothing and needs only the read scope)
  provenance-dashboard sign-bundle …   (not supported)
`

class UsageError extends Error {}

/** Runs one command; returns the exit status instead of exiting, so tests can call it in-process. */
export function main(argv: readonly string[], io: Io): number | Promise<number> {
  const [command, ...rest] = argv
  try {
    switch (command) {
      case 'verify-bundle':
        return verifyBundle(rest, io)
      case 'gate':
        return gate(rest, io).catch((error: unknown) => usage(error, io))
      case 'sign-bundle':
        io.stderr.write(
          'sign-bundle is out of scope: signing needs an OIDC identity, Fulcio and Rekor, and no signing service is reachable from this client; it only verifies (verify-bundle).\n',
        )
        return 2
      case undefined:
      case 'help':
      case '--help':
        io.stdout.write(USAGE)
        return command === undefined ? 2 : 0
      default:
        throw new UsageError(`unknown command "${command}"`)
    }
  } catch (error) {
    return usage(error, io)
  }
}

/** A usage error said with the usage, exit 2; anything else is a defect of ours and is thrown on. */
function usage(error: unknown, io: Io): number {
  if (!(error instanceof UsageError)) throw error
  io.stderr.write(`provenance-dashboard: ${error.message}\n${USAGE}`)
  return 2
}

function readInput(path: string, what: string, io: Io): Buffer {
  try {
    return readFileSync(resolve(io.cwd, path))
  } catch (error) {
    throw new UsageError(`cannot read ${what} ${path}: ${error instanceof Error ? error.message : String(error)}`)
  }
}

function verifyBundle(args: readonly string[], io: Io): number {
  let parsed
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        bundle: { type: 'string' },
        'certificate-identity': { type: 'string' },
        'certificate-oidc-issuer': { type: 'string' },
        key: { type: 'string' },
        'trusted-root': { type: 'string', multiple: true },
        staging: { type: 'boolean' },
      },
    })
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
  const { values, positionals } = parsed
  if (values.bundle === undefined) throw new UsageError('--bundle FILE is required')
  if (positionals.length !== 1 || positionals[0] === undefined) throw new UsageError(`give exactly one ARTIFACT or sha256:HEX, not ${positionals.length}`)
  const identity = values['certificate-identity']
  const issuer = values['certificate-oidc-issuer']
  if (values.key !== undefined && (identity !== undefined || issuer !== undefined)) throw new UsageError('give --key or --certificate-identity with --certificate-oidc-issuer, not both')
  if (values.key === undefined && (identity === undefined || issuer === undefined)) {
    throw new UsageError('who must have signed is required: --certificate-identity ID with --certificate-oidc-issuer ISSUER, or --key KEY.pub')
  }
  const roots = values['trusted-root'] ?? []
  if (roots.length === 0) {
    // Offline, with no TUF client: the public-good roots change, and a stale copy baked in would judge wrongly.
    throw new UsageError(
      `no trusted root given: this client is offline and carries no copy of Sigstore's ${values.staging ? 'staging' : 'production'} trusted root; pass --trusted-root FILE (e.g. from \`sigstore-python trust-root\` or the TUF repository)`,
    )
  }

  const target = positionals[0]
  let digest: string
  if (/^sha256:/i.test(target)) {
    const checked = ExpectedDigest.safeParse(target)
    if (!checked.success) throw new UsageError(`${target}: ${checked.error.issues[0]?.message ?? 'not a digest'}`)
    digest = checked.data
  } else {
    digest = `sha256:${createHash('sha256').update(readInput(target, 'artifact', io)).digest('hex')}`
  }
  const bundle = readInput(values.bundle, 'bundle', io)
  const keyPem = values.key === undefined ? null : readInput(values.key, 'key', io).toString('utf8')

  let config: Config
  try {
    config = buildConfig(
      { trust: { keys: keyPem === null ? [] : [{ id: 'key.pub', publicKeyPem: keyPem }], trustedRoots: roots.map((root) => resolve(io.cwd, root)) } },
      'command line',
      io.cwd,
    )
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    // A key or trusted root we refuse to load is a verdict on the inputs: nothing can be verified with them.
    io.stderr.write(`not verified: the trust material is refused: ${error.message.replace(/^command line(: | is not a valid config:\s*)/, '').trim()}\n`)
    return 1
  }
  const signers: SignerIdentity[] = keyPem === null ? [{ subjectAlternativeName: identity ?? '', issuer: issuer ?? '' }] : [{ keyId: 'key.pub' }]

  let verification: Verification
  try {
    verification = judgeDocument(bundle, ingestContext(config), { digest, signers }).verification
  } catch (error) {
    if (!(error instanceof IngestError)) throw error
    io.stderr.write(`not verified: the bundle is refused (${error.code}${error.path ? ` at ${error.path}` : ''}): ${error.message}\n`)
    return 1
  }
  if (verification.status === 'verified') {
    io.stdout.write(`verified: ${verification.checks.map((check) => check.name).join(', ')}\n`)
    return 0
  }
  io.stderr.write(`not verified (${verification.status}): ${describe(failing(verification))}\n`)
  return 1
}

/** The check that decides: the named failure, else the first that failed or could not be judged. */
function failing(verification: Verification): Check | undefined {
  return verification.checks.find((check) => check.name === verification.failedCheck) ?? verification.checks.find((check) => !check.ok)
}

function describe(check: Check | undefined): string {
  if (!check) return 'no check passed'
  const parts = [`check ${check.name} ${check.notJudged === undefined ? 'failed' : 'could not be judged'}`]
  if (check.expected !== undefined) parts.push(`expected ${check.expected}`)
  if (check.actual !== undefined) parts.push(`found ${check.actual}`)
  if (check.notJudged !== undefined) parts.push(check.notJudged)
  else if (check.detail !== undefined) parts.push(check.detail)
  return parts.join('; ')
}

/** Asks a dashboard's release gate; prints every reason. 0 allow, 1 deny, 2 when no decision came back. */
async function gate(args: readonly string[], io: Io): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({ args: [...args], allowPositionals: true, options: { url: { type: 'string' }, token: { type: 'string' }, policy: { type: 'string' }, environment: { type: 'string' }, 'dry-run': { type: 'boolean' } } })
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
  const { values, positionals } = parsed
  if (values.url === undefined) throw new UsageError('--url URL (the dashboard) is required')
  if (values.policy === undefined) throw new UsageError('--policy NAME is required')
  if (positionals.length === 0) throw new UsageError('give at least one sha256:HEX')
  const token = values.token ?? process.env.PROVENANCE_TOKEN
  const url = `${values.url.replace(/\/+$/, '')}/api/v1/gate${values['dry-run'] === true ? '?record=false' : ''}`
  let response: Response
  try {
    response = await (io.fetch ?? fetch)(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ digests: positionals, policy: values.policy, ...(values.environment === undefined ? {} : { environment: values.environment }) }),
    })
  } catch (error) {
    io.stderr.write(`no decision: cannot reach ${url}: ${error instanceof Error ? error.message : String(error)}\n`)
    return 2
  }
  const body: unknown = await response.json().catch(() => null)
  if (!response.ok) {
    const problem = ApiErrorBody.safeParse(body)
    io.stderr.write(`no decision: ${response.status} ${problem.success ? `${problem.data.error.code}: ${problem.data.error.message}` : 'from the dashboard'}\n`)
    return 2
  }
  const decision = GateDecision.safeParse(body)
  if (!decision.success) {
    io.stderr.write(`no decision: the answer from ${url} is not a gate decision\n`)
    return 2
  }
  const out = decision.data.decision === 'allow' ? io.stdout : io.stderr
  const which = decision.data.recorded ? `decision ${decision.data.id.slice(0, 12)}` : 'dry run, not recorded'
  out.write(`${decision.data.decision} (policy ${decision.data.policy}${decision.data.environment === null ? '' : `, to ${decision.data.environment}`}; ${which})\n`)
  for (const artifact of decision.data.artifacts) {
    out.write(`${artifact.decision} ${artifact.digest}\n`)
    for (const reason of artifact.reasons) {
      out.write(`  ${reason.ok ? 'ok  ' : 'FAIL'} ${reason.rule}: ${reason.actual} (expected ${reason.expected})${reason.evidence.length > 0 ? ` [${reason.evidence.join(' ')}]` : ''}\n`)
    }
  }
  return decision.data.decision === 'allow' ? 0 : 1
}
