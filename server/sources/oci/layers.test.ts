import { describe, expect, it } from 'vitest'
import { layerKind } from './layers'

describe('layerKind', () => {
  it('reads DSSE, Sigstore bundles (both v0.3 spellings), in-toto statements and SBOMs', () => {
    expect(layerKind('application/vnd.dsse.envelope.v1+json', undefined)).toBe('dsse')
    expect(layerKind('application/vnd.dev.sigstore.bundle.v0.3+json', undefined)).toBe('sigstore-bundle')
    expect(layerKind('application/vnd.dev.sigstore.bundle+json;version=0.3', undefined)).toBe('sigstore-bundle')
    expect(layerKind('application/vnd.in-toto+json', undefined)).toBe('statement')
    expect(layerKind('application/spdx+json', undefined)).toBe('sbom')
    expect(layerKind('application/vnd.cyclonedx+json; version=1.5', undefined)).toBe('sbom')
  })

  it('reads a generic JSON layer by the artifact type of its manifest', () => {
    expect(layerKind('application/json', 'application/vnd.dev.sigstore.bundle.v0.3+json')).toBe('sigstore-bundle')
    expect(layerKind('application/json', 'application/vnd.cyclonedx+json')).toBe('sbom')
    expect(layerKind('application/json', 'application/vnd.example.thing')).toBe('skip')
  })

  it('reads cosign simple-signing payloads as signatures, and skips image layers and configs', () => {
    expect(layerKind('application/vnd.dev.cosign.simplesigning.v1+json', undefined)).toBe('cosign-signature')
    expect(layerKind('application/vnd.oci.image.layer.v1.tar+gzip', undefined)).toBe('skip')
    expect(layerKind('application/vnd.oci.empty.v1+json', undefined)).toBe('skip')
  })
})
