import { describe, expect, it } from 'vitest'
import { readCycloneDx } from '../server/ingest/sbom'
import type { Lockfile } from './build-facts'
import { licenseOf, makeSbom, uuidV5 } from './sbom'

const integrity = (byte: number) => `sha512-${Buffer.alloc(64, byte).toString('base64')}`

const lock: Lockfile = {
  name: 'provenance-dashboard',
  version: '1.0.0',
  lockfileVersion: 3,
  packages: {
    '': { name: 'provenance-dashboard', version: '1.0.0', dependencies: { '@scope/lib': '^1.0.0', plain: '^2.0.0' } },
    'node_modules/@scope/lib': { version: '1.2.0', integrity: integrity(1), license: 'MIT', dependencies: { plain: '^1.0.0' } },
    'node_modules/@scope/lib/node_modules/plain': { version: '1.0.0', integrity: integrity(2), license: '(MIT OR Apache-2.0)' },
    'node_modules/plain': { version: '2.0.0', integrity: integrity(3), license: 'ISC' },
    'node_modules/vite': { version: '8.0.0', integrity: integrity(4), license: 'MIT', dev: true },
    'node_modules/fsevents': { version: '2.3.3', integrity: integrity(5), license: 'MIT', devOptional: true, optional: true },
  },
}

const sbom = () =>
  makeSbom({
    pkg: { name: 'provenance-dashboard', version: '1.0.0', dependencies: { '@scope/lib': '^1.0.0', plain: '^2.0.0' } },
    lock,
    outputs: [
      { name: 'dist/assets/index-abc.js', sha256: 'a'.repeat(64) },
      { name: 'dist/server/main.js', sha256: 'b'.repeat(64) },
    ],
    source: { commit: 'c'.repeat(40), epoch: 1_767_323_045, modified: [] },
    bundled: new Set(['node_modules/@scope/lib']),
  })

describe('makeSbom', () => {
  it('lists the production packages with purl, licence and integrity hash, and leaves dev tools out', () => {
    const libraries = sbom().components.filter((component) => component.type === 'library')
    expect(libraries.map((component) => component.purl)).toEqual(['pkg:npm/%40scope/lib@1.2.0', 'pkg:npm/plain@1.0.0', 'pkg:npm/plain@2.0.0'])
    expect(libraries[0]).toMatchObject({
      group: '@scope',
      name: 'lib',
      version: '1.2.0',
      licenses: [{ license: { id: 'MIT' } }],
      hashes: [{ alg: 'SHA-512', content: '01'.repeat(64) }],
      properties: [{ name: 'provenance-dashboard:shipped', value: 'bundled in dist/assets' }],
    })
    expect(libraries[1]?.licenses).toEqual([{ expression: '(MIT OR Apache-2.0)' }])
  })

  it('lists every output file with its SHA-256', () => {
    expect(sbom().components.filter((component) => component.type === 'file')).toEqual([
      { type: 'file', 'bom-ref': 'file:dist/assets/index-abc.js', name: 'dist/assets/index-abc.js', hashes: [{ alg: 'SHA-256', content: 'a'.repeat(64) }] },
      { type: 'file', 'bom-ref': 'file:dist/server/main.js', name: 'dist/server/main.js', hashes: [{ alg: 'SHA-256', content: 'b'.repeat(64) }] },
    ])
  })

  it('resolves the dependency graph as node does: a nested copy wins over the top-level one', () => {
    const dependencies = Object.fromEntries(sbom().dependencies.map((entry) => [entry.ref, entry.dependsOn]))
    expect(dependencies['provenance-dashboard@1.0.0']).toEqual(['pkg:npm/%40scope/lib@1.2.0', 'pkg:npm/plain@2.0.0'])
    expect(dependencies['pkg:npm/%40scope/lib@1.2.0']).toEqual(['pkg:npm/plain@1.0.0'])
  })

  it('is the same bytes every time: the commit time, not the clock; a name-based serial number', () => {
    expect(JSON.stringify(sbom())).toBe(JSON.stringify(sbom()))
    expect(sbom().metadata.timestamp).toBe('2026-01-02T03:04:05Z')
    expect(sbom().serialNumber).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })

  it("is read by the dashboard's own CycloneDX reader", () => {
    const { sbom: reading } = readCycloneDx(JSON.parse(JSON.stringify(sbom())), '$')
    expect(reading).toMatchObject({ standard: 'cyclonedx', specVersion: '1.6', componentCount: 5, subject: { name: 'provenance-dashboard', version: '1.0.0' } })
  })
})

describe('uuidV5', () => {
  it("is RFC 4122's name-based UUID in the URL namespace, as Python's uuid.uuid5 makes it", () => {
    // python3 -c "import uuid; print(uuid.uuid5(uuid.NAMESPACE_URL, 'https://example.com/'))"
    expect(uuidV5('https://example.com/')).toBe('dd2c1780-811a-5296-81c5-178a0ef488bc')
  })
})

describe('licenseOf', () => {
  it('keeps an SPDX id as an id and anything else as an expression; nothing for none', () => {
    expect(licenseOf('Apache-2.0')).toEqual([{ license: { id: 'Apache-2.0' } }])
    expect(licenseOf('MIT AND ISC')).toEqual([{ expression: 'MIT AND ISC' }])
    expect(licenseOf(undefined)).toBeUndefined()
  })
})
