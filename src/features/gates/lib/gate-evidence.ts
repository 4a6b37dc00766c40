import { paths } from '../../../lib/paths'

/** Where one piece of a gate reason's evidence can be seen, and what to call the link. */
export type EvidenceLink = { href: string; label: string; download: boolean }

const short = (id: string) => decodeURIComponent(id).slice(0, 12)

/**
 * A reason's evidence (API paths the server chose) as links for people: builds, artifacts and alerts open their
 * pages; a stored document (a VSA, a test result, an SBOM) is downloaded exactly as stored, which is what the gate
 * judged; rebuilds of the artifact shown are its page's Rebuilds section. Anything else links to the API answer.
 */
export function evidenceLink(path: string, pageDigest: string): EvidenceLink {
  const [pathname = '', search = ''] = path.split('?', 2)
  const segments = pathname.split('/').filter((segment) => segment !== '')
  const [api, version, resource, id] = segments
  if (api === 'api' && version === 'v1' && id !== undefined && segments.length === 4) {
    if (resource === 'builds') return { href: paths.build(decodeURIComponent(id)), label: `build ${short(id)}`, download: false }
    if (resource === 'artifacts') return { href: paths.artifact(decodeURIComponent(id)), label: decodeURIComponent(id) === pageDigest ? 'this artifact' : `artifact ${short(id)}`, download: false }
    if (resource === 'alerts') return { href: paths.alert(decodeURIComponent(id)), label: `alert ${short(id)}`, download: false }
    if (resource === 'documents') return { href: path, label: `document ${short(id)}`, download: true }
    if (resource === 'deployments') return { href: path, label: `deployment ${short(id)}`, download: false }
  }
  if (pathname === '/api/v1/rebuilds') {
    const digest = new URLSearchParams(search).get('artifactDigest')
    if (digest === pageDigest) return { href: '#rebuilds', label: 'rebuilds of this artifact', download: false }
  }
  return { href: path, label: path, download: false }
}
