import { spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'

/*
 * A throwaway OCI registry for tests and the bench: Debian's `docker-registry` (the CNCF Distribution server)
 * on a free loopback port with its storage in a temp directory, and the few Distribution API calls a test
 * needs to push images, attestations and signatures into it, as `docker push` and `cosign` would.
 */

export const registryInstallHint = 'docker-registry (the CNCF Distribution server) was not found on PATH. Install it with: apt-get install -y docker-registry'

export type TestRegistry = {
  /** `http://127.0.0.1:<port>` */
  url: string
  port: number
  pushBlob(repository: string, bytes: Uint8Array): Promise<Descriptor>
  /** Pushes a manifest or index under a tag or its digest; answers its descriptor. */
  pushManifest(repository: string, reference: string | null, manifest: object): Promise<Descriptor>
  /** SIGKILL: the registry is gone, as when it is down. */
  kill(): Promise<void>
  /** Starts it again on the same storage and port. */
  restart(): Promise<void>
  stop(): Promise<void>
}

export type Descriptor = { mediaType: string; digest: string; size: number; artifactType?: string; annotations?: Record<string, string>; platform?: { os: string; architecture: string } }

export const sha256Digest = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`

/**
 * Passes one request on to a registry at `target` (its method, `accept` and `if-none-match`) and the registry's
 * answer back, without the hop-by-hop headers: the proxies tests put in front of a real registry to count requests,
 * slow them down or inject faults. Resolves with the registry's status.
 */
export async function relay(target: string, request: IncomingMessage, response: ServerResponse): Promise<number> {
  const conditional = request.headers['if-none-match']
  const upstream = await fetch(`${target}${request.url ?? '/'}`, {
    method: request.method ?? 'GET',
    headers: { accept: request.headers.accept ?? '*/*', ...(conditional ? { 'if-none-match': conditional } : {}) },
  })
  const headers: Record<string, string> = {}
  upstream.headers.forEach((value, name) => {
    if (name !== 'content-length' && name !== 'transfer-encoding' && name !== 'connection') headers[name] = value
  })
  const body = Buffer.from(await upstream.arrayBuffer())
  response.writeHead(upstream.status, headers).end(request.method === 'HEAD' ? undefined : body)
  return upstream.status
}

/** Starts a test proxy's server on a free loopback port: its base URL and how to close it. */
export async function listenLoopback(server: Server): Promise<{ url: string; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (typeof address !== 'object' || address === null) throw new Error('the proxy has no address')
  return { url: `http://127.0.0.1:${address.port}`, close: () => new Promise((resolve) => server.close(() => resolve())) }
}

export function findRegistryBinary(): string | null {
  for (const dir of [...(process.env.PATH ?? '').split(delimiter), '/usr/bin']) {
    if (dir === '') continue
    try {
      accessSync(join(dir, 'docker-registry'), constants.X_OK)
      return join(dir, 'docker-registry')
    } catch {
      // Not in this directory.
    }
  }
  return null
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

export type RegistryOptions = {
  /**
   * Distribution's notifications, sent to `url` with `Authorization: Bearer <token>`: manifest pushes only (blob
   * uploads and pulls are left out by the registry, as docs/sources.md advises).
   */
  notifications?: { url: string; token: string }
  /**
   * `storage.cache.blobdescriptor: inmemory`, as Debian's packaged config.yml and Distribution's sample config
   * set it: blob metadata is kept in memory rather than read from storage on each blob request.
   */
  blobDescriptorCache?: boolean
}

/** The `notifications:` block of a Distribution config, as docs/sources.md shows it. */
export function notificationsConfig(notifications: { url: string; token: string }): string[] {
  return [
    'notifications:',
    '  endpoints:',
    '    - name: provenance',
    `      url: ${notifications.url}`,
    '      headers:',
    `        Authorization: [Bearer ${notifications.token}]`,
    '      timeout: 2s',
    '      threshold: 3',
    '      backoff: 1s',
    '      ignore:',
    '        mediatypes:',
    '          - application/octet-stream',
    '        actions:',
    '          - pull',
  ]
}

export async function startRegistry(options: RegistryOptions = {}): Promise<TestRegistry> {
  const binary = findRegistryBinary()
  if (binary === null) throw new Error(registryInstallHint)
  const root = mkdtempSync(join(tmpdir(), 'provenance-registry-'))
  const port = await freePort()
  const configPath = join(root, 'config.yml')
  writeFileSync(
    configPath,
    [
      'version: 0.1',
      'log:',
      '  level: error',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(root, 'data')}`,
      ...(options.blobDescriptorCache ? ['  cache:', '    blobdescriptor: inmemory'] : []),
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      ...(options.notifications ? notificationsConfig(options.notifications) : []),
      '',
    ].join('\n'),
  )
  const url = `http://127.0.0.1:${port}`
  let child: ChildProcess | null = null
  let output = ''

  const launch = async () => {
    output = ''
    child = spawn(binary, ['serve', configPath], { stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const deadline = Date.now() + 20_000
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}: ${output}`)
      try {
        const response = await fetch(`${url}/v2/`)
        if (response.status === 200) return
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    throw new Error(`docker-registry did not answer on ${url} in 20 s: ${output}`)
  }
  const kill = async () => {
    const running = child
    if (running === null || running.exitCode !== null || running.signalCode !== null) return
    const exited = new Promise((resolve) => running.once('exit', resolve))
    running.kill('SIGKILL')
    await exited
  }

  try {
    await launch()
  } catch (error) {
    await kill()
    rmSync(root, { recursive: true, force: true })
    throw error
  }

  const check = async (response: Response, what: string) => {
    if (!response.ok) throw new Error(`${what}: ${response.status} ${await response.text()}`)
  }

  return {
    url,
    port,
    async pushBlob(repository, bytes) {
      const digest = sha256Digest(bytes)
      const start = await fetch(`${url}/v2/${repository}/blobs/uploads/`, { method: 'POST' })
      await check(start, `starting an upload to ${repository}`)
      const location = new URL(start.headers.get('location') ?? '', url)
      location.searchParams.set('digest', digest)
      const put = await fetch(location, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: Buffer.from(bytes) })
      await check(put, `uploading ${digest}`)
      return { mediaType: 'application/octet-stream', digest, size: bytes.byteLength }
    },
    async pushManifest(repository, reference, manifest) {
      const bytes = Buffer.from(JSON.stringify(manifest))
      const digest = sha256Digest(bytes)
      const mediaType = 'mediaType' in manifest && typeof manifest.mediaType === 'string' ? manifest.mediaType : 'application/vnd.oci.image.manifest.v1+json'
      const response = await fetch(`${url}/v2/${repository}/manifests/${reference ?? digest}`, { method: 'PUT', headers: { 'content-type': mediaType }, body: bytes })
      await check(response, `pushing a manifest to ${repository}:${reference ?? digest}`)
      return { mediaType, digest, size: bytes.byteLength }
    },
    kill,
    restart: launch,
    async stop() {
      await kill()
      rmSync(root, { recursive: true, force: true })
    },
  }
}
