import { createHash } from 'node:crypto'
import { z } from 'zod'
import { fetchWithRetry, readJson, redact, SourceFetchError, statusText, type FetchPolicy, type SourceResponse } from '../http'
import { nodeTransport } from '../node-transport'

/*
 * A client of the OCI Distribution API (v2), as much as reading attestations needs: tags, manifests and
 * indexes, blobs (checked against their digest), and the referrers API. Authentication follows the
 * registry's challenge: `Bearer` sends us to its token endpoint (anonymously, or with basic credentials, as
 * `docker login` does), `Basic` takes the credentials directly. A token that expires mid-sync is fetched again.
 */

export const mediaTypes = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
} as const

const ACCEPT = [mediaTypes.ociIndex, mediaTypes.ociManifest, mediaTypes.dockerList, mediaTypes.dockerManifest].join(', ')

export const Descriptor = z.object({
  mediaType: z.string(),
  digest: z.string().regex(/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/, 'expected a digest such as sha256:<hex>'),
  size: z.number().int().nonnegative(),
  artifactType: z.string().optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  platform: z.object({ os: z.string(), architecture: z.string(), variant: z.string().optional() }).passthrough().optional(),
})
export type Descriptor = z.infer<typeof Descriptor>

export const ImageManifest = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  config: Descriptor,
  layers: z.array(Descriptor),
  subject: Descriptor.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
})
export type ImageManifest = z.infer<typeof ImageManifest>

export const ImageIndex = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  manifests: z.array(Descriptor),
  subject: Descriptor.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
})
export type ImageIndex = z.infer<typeof ImageIndex>

export type Manifest = { kind: 'index'; value: ImageIndex } | { kind: 'manifest'; value: ImageManifest }

export type FetchedManifest = { digest: string; mediaType: string; bytes: Buffer; manifest: Manifest; url: string }

export type Credentials = { username: string; password: string }

const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`

/** Parses `Bearer realm="…",service="…",scope="…"` (or Basic); null when the header says neither. */
export function parseChallenge(header: string | null): { scheme: 'bearer' | 'basic'; params: Record<string, string> } | null {
  if (header === null) return null
  const match = /^\s*(Bearer|Basic)\b(.*)$/i.exec(header)
  if (!match) return null
  const params: Record<string, string> = {}
  for (const pair of (match[2] ?? '').matchAll(/(\w+)\s*=\s*(?:"([^"]*)"|([^,\s]*))/g)) {
    if (pair[1]) params[pair[1].toLowerCase()] = pair[2] ?? pair[3] ?? ''
  }
  return { scheme: match[1]?.toLowerCase() === 'bearer' ? 'bearer' : 'basic', params }
}

const TokenResponse = z.object({ token: z.string().optional(), access_token: z.string().optional() }).refine((value) => (value.token ?? value.access_token) !== undefined, 'no token or access_token')

/** Parses a manifest or index, by its media type or, when the registry does not say, by its shape. */
export function parseManifest(bytes: Buffer, contentType: string | null, url: string): Manifest {
  let value: unknown
  try {
    value = JSON.parse(bytes.toString('utf8'))
  } catch {
    throw new SourceFetchError(`the manifest is not JSON (${bytes.length} bytes, content type ${contentType ?? 'none'})`, redact(url), 200)
  }
  const type = (typeof value === 'object' && value !== null && 'mediaType' in value && typeof value.mediaType === 'string' ? value.mediaType : null) ?? contentType ?? ''
  const isIndex = type.includes('index') || type.includes('manifest.list') || (typeof value === 'object' && value !== null && 'manifests' in value)
  const parsed = isIndex ? ImageIndex.safeParse(value) : ImageManifest.safeParse(value)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new SourceFetchError(`the ${isIndex ? 'index' : 'manifest'} is not an OCI ${isIndex ? 'image index' : 'image manifest'}: ${issue?.path.join('.') || '$'}: ${issue?.message ?? 'invalid'}`, redact(url), 200)
  }
  return isIndex ? { kind: 'index', value: parsed.data as ImageIndex } : { kind: 'manifest', value: parsed.data as ImageManifest }
}

export class OciClient {
  private readonly tokens = new Map<string, string>()
  private basic: string | null = null
  /** Requests sent, for the bench and the tests. */
  requests = 0
  private readonly policy: FetchPolicy

  constructor(
    readonly baseUrl: string,
    private readonly credentials: Credentials | null,
    policy: FetchPolicy = {},
  ) {
    // node:http rather than fetch: half the CPU a request, which is most of what a sync with nothing new costs.
    this.policy = { transport: nodeTransport, ...policy }
  }

  private url(path: string) {
    return `${this.baseUrl}${path}`
  }

  /** One request with the registry's auth; on 401 it answers the challenge and tries again once. */
  private async send(path: string, repository: string, init: { method?: string; accept?: string; ifNoneMatch?: string } = {}): Promise<SourceResponse> {
    const url = this.url(path)
    const scope = `repository:${repository}:pull`
    const headers = (): Record<string, string> => {
      const out: Record<string, string> = {}
      if (init.accept) out.accept = init.accept
      if (init.ifNoneMatch) out['if-none-match'] = `"${init.ifNoneMatch}"`
      const token = this.tokens.get(scope)
      if (token !== undefined) out.authorization = `Bearer ${token}`
      else if (this.basic !== null) out.authorization = `Basic ${this.basic}`
      return out
    }
    this.requests++
    let response = await fetchWithRetry(url, { method: init.method ?? 'GET', headers: headers() }, this.policy)
    if (response.status !== 401) return response
    const hadToken = this.tokens.has(scope)
    await response.body?.cancel()
    const challenge = parseChallenge(response.headers.get('www-authenticate'))
    if (challenge === null) throw new SourceFetchError('the registry answered 401 Unauthorized without a WWW-Authenticate challenge', redact(url), 401)
    if (challenge.scheme === 'basic') {
      if (this.credentials === null) throw new SourceFetchError('the registry needs credentials (Basic auth): set auth.usernameEnv and auth.passwordEnv', redact(url), 401)
      this.basic = Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString('base64')
    } else {
      // The token for this scope expired or was never fetched: fetch one (again) and retry once.
      this.tokens.delete(scope)
      this.tokens.set(scope, await this.token(challenge.params, scope))
    }
    this.requests++
    response = await fetchWithRetry(url, { method: init.method ?? 'GET', headers: headers() }, this.policy)
    if (response.status === 401) {
      await response.body?.cancel()
      throw new SourceFetchError(
        this.credentials === null
          ? `the registry refused an anonymous token for ${repository}: it needs credentials (auth.usernameEnv, auth.passwordEnv)`
          : `the registry refused the credentials for ${repository}${hadToken ? ' after a token refresh' : ''}: check the user and password in auth.usernameEnv and auth.passwordEnv and their pull access`,
        redact(url),
        401,
      )
    }
    return response
  }

  private async token(params: Record<string, string>, scope: string): Promise<string> {
    const realm = params.realm
    if (!realm) throw new SourceFetchError('the registry asked for a Bearer token but named no realm', redact(this.baseUrl), 401)
    const tokenUrl = new URL(realm)
    if (params.service) tokenUrl.searchParams.set('service', params.service)
    tokenUrl.searchParams.set('scope', params.scope ?? scope)
    const headers: Record<string, string> = {}
    if (this.credentials !== null) headers.authorization = `Basic ${Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString('base64')}`
    this.requests++
    const response = await fetchWithRetry(tokenUrl.toString(), { headers }, this.policy)
    if (!response.ok) {
      await response.body?.cancel()
      throw new SourceFetchError(
        `the token endpoint answered ${response.status} ${statusText(response.status)}${this.credentials === null ? ' to an anonymous request' : ': check the credentials in auth.usernameEnv and auth.passwordEnv'}`,
        redact(tokenUrl.toString()),
        response.status,
      )
    }
    const body = TokenResponse.safeParse(await readJson(response, tokenUrl.toString(), 'the token response'))
    if (!body.success) throw new SourceFetchError('the token response has no token', redact(tokenUrl.toString()), response.status)
    return body.data.token ?? body.data.access_token ?? ''
  }

  private async failed(response: SourceResponse, url: string, what: string): Promise<never> {
    let detail = ''
    try {
      const body: unknown = JSON.parse(await response.text())
      const first = z.object({ errors: z.array(z.object({ code: z.string(), message: z.string() })).min(1) }).safeParse(body)
      if (first.success) detail = `: ${first.data.errors[0]?.code} ${first.data.errors[0]?.message}`
    } catch {
      // No readable error body; the status says enough.
    }
    throw new SourceFetchError(`${what}: the registry answered ${response.status} ${statusText(response.status)}${detail}`, redact(url), response.status)
  }

  /** Every tag of a repository, following `Link` pagination. */
  async tags(repository: string): Promise<string[]> {
    const out: string[] = []
    let path: string | null = `/v2/${repository}/tags/list?n=1000`
    while (path !== null) {
      const url = this.url(path)
      const response = await this.send(path, repository)
      if (!response.ok) await this.failed(response, url, `listing the tags of ${repository}`)
      const body = z.object({ tags: z.array(z.string()).nullable().optional() }).safeParse(await readJson(response, url, 'the tags list'))
      if (!body.success) throw new SourceFetchError('the tags list has no tags array', redact(url), response.status)
      out.push(...(body.data.tags ?? []))
      const link = /<([^>]+)>;\s*rel="?next"?/.exec(response.headers.get('link') ?? '')
      path = link?.[1] ? (link[1].startsWith('http') ? new URL(link[1]).pathname + new URL(link[1]).search : link[1]) : null
    }
    return out
  }

  /** The digest a tag or digest reference resolves to; null when the registry has no such manifest. */
  async resolve(repository: string, reference: string): Promise<string | null> {
    const path = `/v2/${repository}/manifests/${reference}`
    const response = await this.send(path, repository, { method: 'HEAD', accept: ACCEPT })
    if (response.status === 404) return null
    if (!response.ok) await this.failed(response, this.url(path), `resolving ${repository}:${reference}`)
    const digest = response.headers.get('docker-content-digest')
    if (digest) return digest
    // Without the header (some registries omit it on HEAD), the digest is that of the bytes.
    return (await this.manifest(repository, reference))?.digest ?? null
  }

  /** A manifest or index by tag or digest; null when there is none. A digest reference is checked against the bytes. */
  async manifest(repository: string, reference: string): Promise<FetchedManifest | null> {
    const path = `/v2/${repository}/manifests/${reference}`
    const url = this.url(path)
    const response = await this.send(path, repository, { accept: ACCEPT })
    if (response.status === 404) {
      await response.body?.cancel()
      return null
    }
    return this.readManifest(response, url, repository, reference)
  }

  /**
   * A manifest by tag, read only if it is no longer the one with digest `known`: sent as If-None-Match, which a
   * Distribution registry answers with 304 from the tag alone, without reading the manifest. So a tag that did
   * not move costs one small request, and one that moved is read by that same request (no HEAD, then GET).
   * A registry that ignores the header answers 200 with the same bytes, and the digest says nothing changed.
   * Null when there is no such tag.
   */
  async manifestIfChanged(repository: string, reference: string, known: string | null): Promise<{ digest: string; /** Null on 304. */ fetched: FetchedManifest | null } | null> {
    const path = `/v2/${repository}/manifests/${reference}`
    const url = this.url(path)
    const response = await this.send(path, repository, { accept: ACCEPT, ...(known === null ? {} : { ifNoneMatch: known }) })
    if (response.status === 304 && known !== null) {
      await response.body?.cancel()
      return { digest: known, fetched: null }
    }
    if (response.status === 404) {
      await response.body?.cancel()
      return null
    }
    const fetched = await this.readManifest(response, url, repository, reference)
    return { digest: fetched.digest, fetched }
  }

  private async readManifest(response: SourceResponse, url: string, repository: string, reference: string): Promise<FetchedManifest> {
    if (!response.ok) await this.failed(response, url, `reading the manifest ${repository}@${reference}`)
    const bytes = Buffer.from(await response.arrayBuffer())
    const digest = sha256(bytes)
    const contentType = response.headers.get('content-type')
    // Read first, so bytes that are not a manifest at all are reported as such rather than as a digest mismatch.
    const manifest = parseManifest(bytes, contentType, url)
    if (reference.startsWith('sha256:') && reference !== digest) {
      throw new SourceFetchError(`the manifest's bytes hash to ${digest}, not the ${reference} asked for`, redact(url), response.status)
    }
    return { digest, mediaType: contentType ?? '', bytes, manifest, url: redact(url) }
  }

  /** A blob's bytes, checked against its digest; a missing blob is an error naming the URL. */
  async blob(repository: string, descriptor: Descriptor, maxBytes: number): Promise<{ bytes: Buffer; url: string }> {
    const path = `/v2/${repository}/blobs/${descriptor.digest}`
    const url = this.url(path)
    if (descriptor.size > maxBytes) throw new SourceFetchError(`the layer is ${descriptor.size} bytes, more than limits.maxBodyBytes (${maxBytes})`, redact(url), null)
    const response = await this.send(path, repository)
    if (!response.ok) await this.failed(response, url, `reading the blob ${descriptor.digest} of ${repository}`)
    const bytes = Buffer.from(await response.arrayBuffer())
    if (descriptor.digest.startsWith('sha256:') && sha256(bytes) !== descriptor.digest) {
      throw new SourceFetchError(`the blob's bytes hash to ${sha256(bytes)}, not ${descriptor.digest}`, redact(url), response.status)
    }
    return { bytes, url: redact(url) }
  }

  /**
   * The referrers API (OCI 1.1): an index of the manifests whose subject is `digest`. Null when the registry
   * does not have the API (404 on the route), so the caller falls back to the referrers tag schema.
   */
  async referrers(repository: string, digest: string): Promise<Descriptor[] | null> {
    const path = `/v2/${repository}/referrers/${digest}`
    const url = this.url(path)
    const response = await this.send(path, repository, { accept: mediaTypes.ociIndex })
    if (response.status === 404 || response.status === 405 || response.status === 400) {
      await response.body?.cancel()
      return null
    }
    if (!response.ok) await this.failed(response, url, `reading the referrers of ${repository}@${digest}`)
    const bytes = Buffer.from(await response.arrayBuffer())
    const manifest = parseManifest(bytes, response.headers.get('content-type'), url)
    if (manifest.kind !== 'index') throw new SourceFetchError('the referrers API answered something other than an image index', redact(url), response.status)
    return manifest.value.manifests
  }
}
