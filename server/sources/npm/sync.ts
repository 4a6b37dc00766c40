import { satisfies } from 'semver'
import { z } from 'zod'
import type { NpmSourceConfig } from '../config'
import { fetchWithRetry, mapLimit, redact, SourceFetchError, statusText } from '../http'
import { ingestPulled, PulledDocumentError, secret, type SyncContext } from '../sync'

/*
 * One sync of an npm registry source: for each configured package, its packument (full JSON, conditional on
 * the ETag of the last read), then for every version in range that has `dist.attestations.url`, the
 * attestations response (publish attestation and SLSA provenance), which must be about the tarball's
 * `dist.integrity` (sha512) and is stored whole through the ingest path. A version is remembered with its
 * integrity once stored, so the next sync reads only new versions. docs/sources.md lists the fields read.
 */

const Dist = z.object({
  integrity: z.string().optional(),
  shasum: z.string().optional(),
  tarball: z.string().optional(),
  attestations: z.object({ url: z.string(), provenance: z.object({ predicateType: z.string() }).optional() }).optional(),
})

export const Packument = z.object({
  name: z.string(),
  versions: z.record(z.string(), z.object({ version: z.string(), dist: Dist })),
})

/** `sha512-<base64>` (SRI) as `sha512:<hex>`; null when it is not a SHA-512 SRI string. */
export function integrityDigest(integrity: string | undefined): string | null {
  const match = /^sha512-([A-Za-z0-9+/=]+)$/.exec(integrity?.trim() ?? '')
  if (!match?.[1]) return null
  const bytes = Buffer.from(match[1], 'base64')
  return bytes.length === 64 ? `sha512:${bytes.toString('hex')}` : null
}

const AttestationSubjects = z.object({
  attestations: z.array(
    z.object({
      predicateType: z.string(),
      bundle: z.object({ dsseEnvelope: z.object({ payload: z.string() }).optional() }).passthrough(),
    }),
  ),
})

/** The sha512 digests the attestations' statements name, to compare with the tarball's integrity. */
export function attestedDigests(value: unknown): string[] {
  const parsed = AttestationSubjects.safeParse(value)
  if (!parsed.success) return []
  const out = new Set<string>()
  for (const attestation of parsed.data.attestations) {
    const payload = attestation.bundle.dsseEnvelope?.payload
    if (payload === undefined) continue
    try {
      const statement = z.object({ subject: z.array(z.object({ digest: z.record(z.string(), z.string()) })) }).safeParse(JSON.parse(Buffer.from(payload, 'base64').toString('utf8')))
      if (statement.success) for (const subject of statement.data.subject) if (subject.digest.sha512) out.add(`sha512:${subject.digest.sha512.toLowerCase()}`)
    } catch {
      // A payload that is not JSON names no digest; the ingest path says what is wrong with it.
    }
  }
  return [...out]
}

export async function syncNpm(context: SyncContext<NpmSourceConfig>): Promise<void> {
  const { source, store, report, now } = context
  const token = source.auth ? secret(context, source.auth.tokenEnv, 'auth.tokenEnv') : null
  const headers = (extra: Record<string, string> = {}): Record<string, string> => ({ accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra })
  const seen = await store.sources.seenWithPrefix(source.name, '')
  report.total = source.packages.length

  for (const pkg of source.packages) {
    if (context.signal.aborted) return
    const url = `${source.url}/${pkg.name.replace('/', '%2f')}`
    report.phase = `reading the packument of ${pkg.name}`
    try {
      const etagKey = `etag:${pkg.name}:${pkg.versions ?? '*'}`
      const etag = seen.get(etagKey)
      const response = await fetchWithRetry(url, { headers: headers(etag ? { 'if-none-match': etag } : {}) })
      if (response.status === 304) {
        await response.body?.cancel()
        report.unchanged++
        continue
      }
      if (!response.ok) {
        await response.body?.cancel()
        throw new SourceFetchError(`the packument of ${pkg.name}: the registry answered ${response.status} ${statusText(response.status)}`, redact(url), response.status)
      }
      const text = await response.text()
      let json: unknown
      try {
        json = JSON.parse(text)
      } catch {
        throw new SourceFetchError(`the packument of ${pkg.name} is not JSON`, redact(url), response.status)
      }
      const packument = Packument.safeParse(json)
      if (!packument.success) throw new SourceFetchError(`the packument of ${pkg.name} has no versions object`, redact(url), response.status)
      const versions = Object.values(packument.data.versions).filter((version) => pkg.versions === undefined || satisfies(version.version, pkg.versions))
      report.total += versions.length
      const errorsBefore = report.errorCount
      await mapLimit(versions, source.concurrency, async (version) => {
        try {
          const digest = integrityDigest(version.dist.integrity)
          const key = `version:${pkg.name}@${version.version}`
          const attestationsUrl = version.dist.attestations?.url
          if (attestationsUrl === undefined || digest === null || seen.get(key) === digest) {
            report.unchanged++
            return
          }
          report.phase = `reading the attestations of ${pkg.name}@${version.version}`
          // The packument names the URL; relative URLs are relative to the registry.
          const target = new URL(attestationsUrl, `${source.url}/`).toString()
          // A packument is the registry's data; it may not send this server (and its token) to another host.
          if (new URL(target).origin !== new URL(source.url).origin) {
            throw new PulledDocumentError(`the attestations URL of ${pkg.name}@${version.version} is not on the registry (${new URL(source.url).origin}); not followed`, redact(target))
          }
          const answer = await fetchWithRetry(target, { headers: headers() })
          if (!answer.ok) {
            await answer.body?.cancel()
            throw new SourceFetchError(`the attestations of ${pkg.name}@${version.version}: the registry answered ${answer.status} ${statusText(answer.status)}`, redact(target), answer.status)
          }
          const bytes = Buffer.from(await answer.arrayBuffer())
          let body: unknown = null
          try {
            body = JSON.parse(bytes.toString('utf8'))
          } catch {
            throw new SourceFetchError(`the attestations of ${pkg.name}@${version.version} are not JSON`, redact(target), answer.status)
          }
          const digests = attestedDigests(body)
          if (!digests.includes(digest)) {
            throw new PulledDocumentError(
              `the attestations of ${pkg.name}@${version.version} are about ${digests.join(', ') || 'no sha512 digest'}, not the tarball's integrity ${digest}: not stored`,
              redact(target),
            )
          }
          await ingestPulled(context, bytes, redact(target), digest)
          seen.set(key, digest)
          await store.sources.markSeen(source.name, [{ key, value: digest }], now())
        } catch (error) {
          report.fail(error)
        } finally {
          report.done++
        }
      })
      // The ETag stands for every version in it; remembered only when each was stored.
      const newEtag = response.headers.get('etag')
      if (newEtag && report.errorCount === errorsBefore) await store.sources.markSeen(source.name, [{ key: etagKey, value: newEtag }], now())
    } catch (error) {
      report.fail(error)
    } finally {
      report.done++
    }
  }
}
