import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Report } from '../../src/contract/reports'
import type { Store } from '../store/types'
import { tempStore } from '../testing/documents'
import { digests, FIXTURE_INGESTED_AT, seedResources } from '../testing/resource-fixture'
import { DERIVED_FILES } from './archive'
import { assembleReport } from './assemble'
import { reportCsv, reportHtml } from './formats'
import { gatherEvidence } from './gather'
import { produceReport } from './produce'
import { readTar, writeTar } from './tar'
import { verifyArchive } from './verify'

/* The CSV and printable HTML of a report on the resource fixture's world. */

let store: Store
let dispose: () => Promise<void>
let report: Report
const AS_OF = FIXTURE_INGESTED_AT + 1000
const scope = { kind: 'release' as const, digests: [`sha256:${digests.d1}`, `sha256:${digests.d3}`, `sha256:${digests.sbomOnly}`] }

beforeAll(async () => {
  ;({ store, dispose } = await tempStore())
  await seedResources(store)
  report = assembleReport({ scope, asOf: AS_OF, artifacts: await gatherEvidence(store, scope, AS_OF) })
}, 60_000)
afterAll(async () => dispose())

/** Splits RFC 4180 CSV (quoted cells may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        cell += '"'
        index++
      } else if (char === '"') quoted = false
      else cell += char
    } else if (char === '"') quoted = true
    else if (char === ',') {
      row.push(cell)
      cell = ''
    } else if (char === '\r' && text[index + 1] === '\n') {
      row.push(cell)
      rows.push(row)
      row = []
      cell = ''
      index++
    } else cell += char
  }
  return rows
}

describe('the CSV', () => {
  it('has one row per artifact and one per build, in the report order', () => {
    const [header, ...rows] = parseCsv(reportCsv(report).toString('utf8'))
    expect(header?.slice(0, 4)).toEqual(['row', 'digest', 'name', 'provenance'])
    const expected = report.artifacts.flatMap((artifact) => [
      ['artifact', artifact.digest],
      ...artifact.builds.map((build) => ['build', artifact.digest, build.id]),
    ])
    expect(rows.map((row) => (row[0] === 'build' ? [row[0], row[1], row[4]] : [row[0], row[1]]))).toEqual(expected)
    const d1 = rows.find((row) => row[0] === 'artifact' && row[1] === `sha256:${digests.d1}`)!
    const column = (name: string) => d1[header!.indexOf(name)]
    expect([column('provenance'), column('rebuilders'), column('rebuilds_matched'), column('rebuilds_mismatched')]).toEqual(['verified', '2', '1', '1'])
    expect(rows.find((row) => row[1] === `sha256:${digests.sbomOnly}`)?.[3]).toBe('none')
  })

  it('quotes what needs quoting and defuses cells a spreadsheet would run as formulas', () => {
    const first = report.artifacts[0]!
    const hostile: Report = { ...report, artifacts: [{ ...first, names: ['=HYPERLINK("http://evil.example","x")', 'a,b'] }] }
    const [, row] = parseCsv(reportCsv(hostile).toString('utf8'))
    expect(row?.[2]).toBe(`'=HYPERLINK("http://evil.example","x") a,b`)
  })
})

describe('the printable HTML', () => {
  it('puts the summary on a page of its own, escapes what documents say, and has no script, link or navigation', () => {
    const first = report.artifacts[0]!
    const hostile: Report = { ...report, artifacts: [{ ...first, names: ['<script>alert(1)</script><a href="https://evil.example">x</a>'] }] }
    const html = reportHtml(hostile).toString('utf8')
    expect(html).toContain('<h2 id="summary">What is proven and what is not</h2>')
    for (const line of report.summary.lines) expect(html).toContain(`<li>${line.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</li>`)
    expect(html).toContain('@media print')
    expect(html).toMatch(/\.summary-page \{ break-after: page; \}/)
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&lt;a href=&quot;https://evil.example&quot;&gt;')
    expect(html).not.toMatch(/<script|<a |<nav|<link /i)
  })
})

describe('the formats in the archive', () => {
  it('are the same bytes for the same report, and verify-report fails a CSV changed in the archive', async () => {
    expect(reportCsv(report).equals(reportCsv(structuredClone(report)))).toBe(true)
    expect(reportHtml(report).equals(reportHtml(structuredClone(report)))).toBe(true)
    const { archive, files } = await produceReport(store, scope, AS_OF)
    const entries = readTar(archive)
    expect(Buffer.from(entries.find((entry) => entry.name === DERIVED_FILES.csv)!.bytes).equals(files['report.csv'])).toBe(true)
    expect(verifyArchive(archive).ok).toBe(true)
    const changed = entries.map((entry) => (entry.name === DERIVED_FILES.csv ? { name: entry.name, bytes: Buffer.from(Buffer.from(entry.bytes).toString('utf8').replace('verified', 'VERIFIED')) } : entry))
    const verdict = verifyArchive(writeTar(changed, AS_OF / 1000))
    expect(verdict.ok).toBe(false)
    expect(verdict.problems).toEqual([{ file: 'report.csv', message: 'differs from what report.json says; only the signed report.json is evidence' }])
  }, 60_000)
})
