import { describe, expect, it } from 'vitest'
import { demoAllowedHosts, demoUnexpectedHosts } from './hosts'
import { demoBuilds } from './model'
import { demoTrace } from './traces'

/* The traces and the policies read one host table: only the unexpected hosts fall outside the allow-list. */

// The policy's `*.` wildcard, written out here because demo/ may not import the server's matcher.
const allowed = (host: string) =>
  demoAllowedHosts.some((pattern) => (pattern.startsWith('*.') ? host.endsWith(pattern.slice(1)) : host === pattern))

const contacted = (build: ReturnType<typeof demoBuilds>[number]) =>
  demoTrace(build).resourceSpans.flatMap((resource) =>
    resource.scopeSpans.flatMap((scope) =>
      scope.spans.flatMap((span) =>
        ('events' in span ? span.events : []).flatMap((event) =>
          event.attributes.flatMap((attribute) => (attribute.key === 'server.address' && 'stringValue' in attribute.value ? [attribute.value.stringValue] : [])),
        ),
      ),
    ),
  )

describe('demoTrace', () => {
  const builds = demoBuilds(400)

  it('is pure: the same build gives the same trace', () => {
    const build = builds[7]!
    expect(demoTrace(build)).toEqual(demoTrace(build))
  })

  it('contacts only allowed hosts, except a few builds that reach an unexpected one', () => {
    const hosts = builds.flatMap(contacted)
    const outside = new Set(hosts.filter((host) => !allowed(host)))
    expect(outside.size).toBeGreaterThan(0)
    expect([...outside].every((host) => demoUnexpectedHosts.includes(host))).toBe(true)
    expect(demoUnexpectedHosts.some(allowed)).toBe(false)
  })
})
