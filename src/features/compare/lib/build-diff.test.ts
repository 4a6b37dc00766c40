import { describe, expect, it } from 'vitest'
import { demoBuilds } from '../../../../demo/model'
import { demoBuildDetail } from '../../../../mocks/data/factories'
import type { BuildDetail } from '../../../contract/builds'
import { diffBuilds, type DiffSection } from './build-diff'

const [first, second] = demoBuilds(2)
if (!first || !second) throw new Error('no demo builds')
const base = demoBuildDetail({ ...first, project: 'acme/web' })

function sectionOf(sections: DiffSection[], id: DiffSection['id']): DiffSection {
  const found = sections.find((item) => item.id === id)
  if (!found) throw new Error(`no ${id} section`)
  return found
}

function withChanges(build: BuildDetail, change: Partial<BuildDetail>): BuildDetail {
  return { ...build, ...change }
}

describe('diffBuilds', () => {
  it('finds no difference between a build and itself', () => {
    const sections = diffBuilds(base, base)
    expect(sections.map((item) => item.changes)).toEqual([0, 0, 0, 0, 0, 0, 0])
    expect(sectionOf(sections, 'tools').rows.length).toBeGreaterThan(0)
  })

  it('sees a tool version bump as one changed row, in tools and in dependencies', () => {
    const tool = first.tools[0]!
    const bumped = demoBuildDetail({ ...first, tools: [{ ...tool, version: '99.0.0' }, ...first.tools.slice(1)] })
    const sections = diffBuilds(demoBuildDetail(first), bumped)
    expect(sectionOf(sections, 'tools').rows.filter((row) => row.change !== 'same')).toEqual([
      { key: tool.name, a: tool.version, b: '99.0.0', change: 'changed' },
    ])
    const dependency = sectionOf(sections, 'dependencies').rows.find((row) => row.change === 'changed')
    expect(dependency).toMatchObject({ key: `pkg:generic/${tool.name}`, a: tool.version, b: '99.0.0' })
    expect(sectionOf(sections, 'environment').rows.find((row) => row.change === 'changed')?.key).toBe(`toolchain.${tool.name}`)
  })

  it('tells outputs only in one build from changed ones, and compares builder and parameters', () => {
    const a = base
    const b = withChanges(base, {
      builderId: 'https://other.example/builder',
      externalParameters: { workflow: { ref: 'refs/tags/v2', extra: true } },
      subjects: [{ name: 'new-output', digest: { sha256: 'f'.repeat(64) } }, ...(base.subjects[0] ? [{ ...base.subjects[0], digest: { sha256: 'e'.repeat(64) } }] : [])],
    })
    const sections = diffBuilds(a, b)
    expect(sectionOf(sections, 'builder').rows.find((row) => row.key === 'Builder')?.change).toBe('changed')
    const outputs = sectionOf(sections, 'outputs').rows
    expect(outputs.find((row) => row.key === 'new-output')?.change).toBe('added')
    expect(outputs.find((row) => row.key === base.subjects[0]?.name)?.change).toBe('changed')
    expect(outputs.find((row) => row.key === base.subjects[1]?.name)?.change).toBe('removed')
    const parameters = sectionOf(sections, 'parameters').rows
    expect(parameters.find((row) => row.key === 'workflow.extra')).toMatchObject({ a: null, b: 'true', change: 'added' })
  })

  it('says hosts were not recorded when neither build has telemetry', () => {
    const sections = diffBuilds({ ...base, pipeline: null }, { ...base, pipeline: null })
    expect(sectionOf(sections, 'hosts').recorded).toBe(false)
    const withHost = diffBuilds({ ...base, pipeline: null }, base)
    expect(sectionOf(withHost, 'hosts').rows.every((row) => row.change === 'added')).toBe(true)
  })
})
