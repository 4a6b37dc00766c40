import { buildConfig, ingestContext, type Config } from '../config'
import { signEnvelope } from '../demo/seed'
import { ingestBody } from '../ingest/ingest'
import type { Store } from '../store/types'
import { newKey, slsaV1Statement } from './documents'
import { hex } from './resource-fixture'

/*
 * Three builds of example/app naming different numbers of artifacts, for the artifacts list's first-of-each-build
 * rule: newest first, `narrow` names 2 (`narrow-0`, `narrow-1`), `wide` 8 and `older` 6, each artifact's digest the
 * SHA-256 of its name.
 */
export const wideBuilds = [
  { label: 'narrow', count: 2, finishedOn: '2026-11-03T10:00:00Z', commit: '1'.repeat(40) },
  { label: 'wide', count: 8, finishedOn: '2026-11-02T10:00:00Z', commit: '2'.repeat(40) },
  { label: 'older', count: 6, finishedOn: '2026-11-01T10:00:00Z', commit: '3'.repeat(40) },
] as const

// One key for the process: every store given the builds holds the same documents, so the same ids.
const key = newKey('wide-builds', 'ed25519')

/** Ingests the three builds, signed by a key the returned config trusts; their build ids by label. */
export async function ingestWideBuilds(store: Store): Promise<{ config: Config; buildIds: Map<string, string> }> {
  const config = buildConfig({ trust: { keys: [{ id: key.id, publicKeyPem: key.publicKeyPem }] } }, 'wide builds')
  const buildIds = new Map<string, string>()
  for (const build of wideBuilds) {
    const statement = slsaV1Statement({ commit: build.commit })
    statement.subject = Array.from({ length: build.count }, (_, position) => ({ name: `${build.label}-${position}`, digest: { sha256: hex(`${build.label}-${position}`) } }))
    statement.predicate.runDetails.metadata.finishedOn = build.finishedOn
    const result = await ingestBody(store, Buffer.from(JSON.stringify(signEnvelope(statement, key))), 'application/json', ingestContext(config))
    if (!result.ok) throw new Error(result.error.message)
    buildIds.set(build.label, result.body.documents[0]?.id ?? '')
  }
  return { config, buildIds }
}

/** The list as names, each build's last listed with `+N` for the N more it has. */
export const listedNames = (items: readonly { name: string; moreInBuild: number }[]) => items.map((item) => `${item.name}${item.moreInBuild > 0 ? ` +${item.moreInBuild}` : ''}`)
