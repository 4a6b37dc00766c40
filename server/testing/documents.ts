import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { DemoKey } from '../demo/keys'
import { openStore } from '../store/store'
import type { Store } from '../store/types'

export function newKey(id: string, algorithm: 'ed25519' | 'ecdsa-p256'): DemoKey {
  const { privateKey, publicKey } =
    algorithm === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  return { id, algorithm, privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() }
}

/** A SLSA v1 provenance Statement as GitHub's artifact attestations write it, with fields a test can override. */
export function slsaV1Statement(overrides: { subjectName?: string; sha256?: string; builderId?: string; repo?: string; commit?: string } = {}) {
  const repo = overrides.repo ?? 'https://github.com/example/app'
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: overrides.subjectName ?? 'app-linux-amd64', digest: { sha256: overrides.sha256 ?? 'a'.repeat(64) } }],
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: {
      buildDefinition: {
        buildType: 'https://actions.github.io/buildtypes/workflow/v1',
        externalParameters: { workflow: { ref: 'refs/heads/main', repository: repo, path: '.github/workflows/release.yml' } },
        internalParameters: { github: { event_name: 'push' } },
        resolvedDependencies: [{ uri: `git+${repo}@refs/heads/main`, digest: { gitCommit: overrides.commit ?? 'c'.repeat(40) } }],
      },
      runDetails: {
        builder: { id: overrides.builderId ?? 'https://github.com/actions/runner/github-hosted' },
        metadata: { invocationId: `${repo}/actions/runs/1/attempts/1`, startedOn: '2026-11-01T10:00:00Z', finishedOn: '2026-11-01T10:05:00Z' },
      },
    },
  }
}

/** A fresh SQLite store in a temporary folder, removed by `dispose`. */
export async function tempStore(): Promise<{ store: Store; dir: string; dispose: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'provenance-test-'))
  const store = await openStore({ dataDir: dir })
  return {
    store,
    dir,
    dispose: async () => {
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
