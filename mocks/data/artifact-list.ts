import { ArtifactPage, type ArtifactListItem, type ArtifactListQuery } from '../../src/contract/artifacts'
import { artifactsListedPerBuild } from '../../domain/artifact-list'
import type { DemoIndex } from './demo-index'

/*
 * The demo's artifacts list, answered as server/artifacts/store.ts answers it: build subjects with a sha256
 * digest, newest build first (then build id, then position, all descending), the first of each build as
 * domain/artifact-list.ts says, with the server's cursor.
 */

type Row = Omit<ArtifactListItem, 'moreInBuild'> & { ms: number; position: number }

// btoa/atob rather than Buffer: the mocks also run in the browser. The text is ASCII, so they are exact.
const encode = (row: Row) => btoa(`${row.ms}:${row.buildId}:${row.position}`).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
const base64urlDecode = (text: string) => {
  try {
    return atob(text.replace(/-/g, '+').replace(/_/g, '/'))
  } catch {
    return ''
  }
}

/** The sort key a cursor carries, or null for one the server would reject. */
function decode(text: string): { ms: number; buildId: string; position: number } | null {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return null
  const [, ms, buildId, position] = /^(-?\d{1,16}):([0-9a-f]{64}):(\d{1,9})$/.exec(base64urlDecode(text)) ?? []
  return ms === undefined || buildId === undefined || position === undefined ? null : { ms: Number(ms), buildId, position: Number(position) }
}

/** Strictly after the cursor in the list's descending (time, build id, position) order. */
const after = (row: Row, cursor: { ms: number; buildId: string; position: number }) =>
  row.ms < cursor.ms || (row.ms === cursor.ms && (row.buildId < cursor.buildId || (row.buildId === cursor.buildId && row.position < cursor.position)))

/** A page of the demo's artifacts, or 'invalid-cursor' when the cursor is not one the server would issue. */
export function demoArtifactList(index: DemoIndex, query: ArtifactListQuery): ArtifactPage | 'invalid-cursor' {
  const cursor = query.cursor === undefined ? undefined : decode(query.cursor)
  if (cursor === null) return 'invalid-cursor'
  const perBuild = artifactsListedPerBuild(query)
  const rows: Row[] = []
  // How many of a build's artifacts the list leaves out.
  const left = new Map<string, number>()
  for (const summary of index.db.summaries) {
    if (query.project !== undefined && summary.project !== query.project) continue
    summary.subjects.forEach((subject, position) => {
      const sha256 = subject.digest.sha256
      if (sha256 === undefined || (query.name !== undefined && subject.name !== query.name)) return
      if (perBuild !== null && position >= perBuild) {
        left.set(summary.id, (left.get(summary.id) ?? 0) + 1)
        return
      }
      rows.push({ digest: `sha256:${sha256}`, name: subject.name, buildId: summary.id, project: summary.project, time: summary.time, status: summary.status, ms: Date.parse(summary.time), position })
    })
  }
  rows.sort((a, b) => b.ms - a.ms || (a.buildId < b.buildId ? 1 : a.buildId > b.buildId ? -1 : b.position - a.position))
  const remaining = cursor === undefined ? rows : rows.filter((row) => after(row, cursor))
  const page = remaining.slice(0, query.limit)
  const last = page.at(-1)
  return ArtifactPage.parse({
    // The last listed of a build (the next row, past the page too, is another build's) says what was left out.
    items: page.map(({ ms: _ms, position: _position, ...item }, at) => ({ ...item, moreInBuild: remaining[at + 1]?.buildId === item.buildId ? 0 : (left.get(item.buildId) ?? 0) })),
    nextCursor: remaining.length > query.limit && last !== undefined ? encode(last) : null,
  })
}
