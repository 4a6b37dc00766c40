import { createHash } from 'node:crypto'
import { expect } from 'vitest'
import { ArtifactDetail } from '../../../src/contract/artifacts'
import { DocumentVerification } from '../../../src/contract/documents'
import { Source, SyncStarted } from '../../../src/contract/sources'
import { createApp } from '../../app'
import { buildConfig } from '../../config'
import type { Descriptor, TestRegistry } from '../../store/testing/registry'
import { tempStore } from '../../testing/documents'
import { SourceRunner } from '../runner'

/*
 * What the cosign tests over a real registry share: layers pushed under cosign's `sha256-<hex>.sig` / `.att` tags
 * with the annotations cosign writes, and a server with one OCI source on that registry, synced over HTTP.
 */

const INGEST = 'cosign-test-ingest'
const hash = (text: string) => createHash('sha256').update(text).digest('hex')

/** A manifest under cosign's tag for `image` whose layers are the given documents with their annotations. */
export async function attach(registry: TestRegistry, repository: string, image: string, suffix: 'sig' | 'att', layers: { bytes: Buffer; mediaType: string; annotations: Record<string, string> }[]): Promise<Descriptor> {
  const pushed: Descriptor[] = []
  for (const layer of layers) pushed.push({ ...(await registry.pushBlob(repository, layer.bytes)), mediaType: layer.mediaType, annotations: layer.annotations })
  const config = await registry.pushBlob(repository, Buffer.from(JSON.stringify({ architecture: '', os: '', rootfs: { type: 'layers', diff_ids: pushed.map((layer) => layer.digest) }, config: {} })))
  return registry.pushManifest(repository, `${image.replace(':', '-')}.${suffix}`, {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { ...config, mediaType: 'application/vnd.oci.image.config.v1+json' },
    layers: pushed,
  })
}

/** A server whose one source is `repository` on the registry at `url`, trusting `trustedRoot` and the given keys. */
export async function world(url: string, repository: string, trustedRoot: string, keys: { id: string; publicKeyPem: string }[] = []) {
  const { store, dispose } = await tempStore()
  const config = buildConfig(
    {
      trust: { trustedRoots: [trustedRoot], keys },
      tokens: [{ name: 'ingest', sha256: hash(INGEST), scopes: ['ingest'] }],
      sources: [{ name: 'registry', kind: 'oci', url, repositories: [{ name: repository }], intervalSeconds: 3600 }],
    },
    'test config',
  )
  const runner = new SourceRunner({ store, config, env: () => undefined })
  const app = createApp({ store, config, version: 'test', demo: false, sources: runner })
  const sync = async (): Promise<Source> => {
    const started = await app.request('/api/v1/sources/registry/sync', { method: 'POST', headers: { authorization: `Bearer ${INGEST}` } })
    expect(started.status).toBe(202)
    await runner.settled('registry')
    return Source.parse(await (await app.request(SyncStarted.parse(await started.json()).progressUrl)).json())
  }
  /** What the sync stored for an image (recorded with it as subject), as the verification endpoint serves it. */
  const documentsOf = async (image: string) => {
    const rows = (await store.sources.documentsOf('registry')).filter((row) => row.subject === image)
    return Promise.all(rows.map(async (row) => DocumentVerification.parse(await (await app.request(`/api/v1/documents/${row.documentId}/verification`)).json())))
  }
  const artifact = async (digest: string) => ArtifactDetail.parse(await (await app.request(`/api/v1/artifacts/${digest}`)).json())
  return { store, sync, documentsOf, artifact, dispose }
}
