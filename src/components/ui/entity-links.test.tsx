import { render, screen } from '@testing-library/react'
import { MemoryRouter } from 'react-router'
import { describe, expect, it } from 'vitest'
import { ArtifactLink } from './entity-links'

const sha256 = 'ab'.repeat(32)

function links(name: string) {
  render(
    <MemoryRouter>
      <ArtifactLink name={name} digest={{ sha256 }} />
    </MemoryRouter>,
  )
  return screen.getAllByRole('link').map((link) => `${link.textContent ?? ''} -> ${link.getAttribute('href') ?? ''}`)
}

describe('ArtifactLink', () => {
  it('links the name and the digest to the artifact page', () => {
    expect(links('app.tgz')).toEqual([`app.tgz -> /artifacts/sha256:${sha256}`, `sha256:abababababab… -> /artifacts/sha256:${sha256}`])
  })

  it('shows an unnamed artifact by its digest alone, with no empty link before it', () => {
    expect(links('')).toEqual([`sha256:abababababab… -> /artifacts/sha256:${sha256}`])
  })
})
