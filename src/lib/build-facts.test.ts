import { describe, expect, it } from 'vitest'
import { demoBuilds } from '../../demo/model'
import { demoPipeline } from '../../mocks/data/factories'
import { flatten, hostsContacted, parsePurl, pipelineTimeline, toolVersions } from './build-facts'

const [build] = demoBuilds(1)
if (!build) throw new Error('no demo build')
const pipeline = demoPipeline(build)

describe('parsePurl', () => {
  it('reads type, name and version, decoded', () => {
    expect(parsePurl('pkg:generic/node@20.19.0')).toEqual({ type: 'generic', name: 'node', version: '20.19.0' })
    expect(parsePurl('pkg:npm/%40acme/lib@1.2.3?x=y#sub')).toEqual({ type: 'npm', name: '@acme/lib', version: '1.2.3' })
    expect(parsePurl('pkg:golang/golang.org/x/net')).toEqual({ type: 'golang', name: 'golang.org/x/net', version: null })
    expect(parsePurl('git+https://github.com/acme/web')).toBeNull()
  })
})

describe('toolVersions', () => {
  it('merges pipeline tools and pkg: dependencies by name and version', () => {
    const tools = toolVersions({ pipeline, resolvedDependencies: build.tools.map((tool) => ({ uri: `pkg:generic/${tool.name}@${tool.version}`, name: tool.name, digest: {} })) })
    expect(tools.map((tool) => [tool.name, tool.version, tool.sources])).toEqual(
      [...build.tools].sort((a, b) => a.name.localeCompare(b.name)).map((tool) => [tool.name, tool.version, ['pipeline', 'provenance']]),
    )
  })
  it('keeps both versions when the two sources disagree', () => {
    const tools = toolVersions({ pipeline: null, resolvedDependencies: [{ uri: 'pkg:generic/go@1.1', name: null, digest: {} }, { uri: 'pkg:generic/go@1.2', name: null, digest: {} }] })
    expect(tools.map((tool) => tool.version)).toEqual(['1.1', '1.2'])
  })
})

describe('hostsContacted and pipelineTimeline', () => {
  it('lists each host once with the steps that contacted it', () => {
    const hosts = hostsContacted(pipeline)
    expect(hosts.find((contact) => contact.host === 'github.com')?.steps).toEqual(['build › checkout'])
    expect(hosts.map((contact) => contact.host)).toEqual([...hosts.map((contact) => contact.host)].sort())
  })
  it('puts every task and step on one axis from the run start', () => {
    const timeline = pipelineTimeline(pipeline)
    expect(timeline.bars.map((bar) => bar.label)).toEqual(['build', 'checkout', 'setup toolchain', 'build', 'test', 'attest'])
    expect(timeline.totalMs).toBe(build.finishedAt - build.startedAt)
    for (const bar of timeline.bars) expect((bar.offsetMs ?? 0) + (bar.durationMs ?? 0)).toBeLessThanOrEqual(timeline.totalMs)
  })
})

describe('flatten', () => {
  it('writes nested values as paths, and stops at the limit', () => {
    expect(flatten({ a: { b: 1, c: ['x'] }, d: {} })).toEqual([
      { path: 'a.b', value: '1' },
      { path: 'a.c.0', value: 'x' },
      { path: 'd', value: '{}' },
    ])
    expect(flatten(Array.from({ length: 1000 }, (_, index) => index))).toHaveLength(500)
    expect(flatten(null)).toEqual([])
  })
})
