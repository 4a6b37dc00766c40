import type { SearchTarget } from '../../../contract/search'
import { paths } from '../../../lib/paths'

/** The page a search result leads to. */
export function targetHref(target: SearchTarget): string {
  switch (target.type) {
    case 'artifact':
      return paths.artifact(target.digest)
    case 'build':
      return paths.build(target.id)
    case 'signatures':
      return paths.signatures({ signer: target.signer })
    case 'artifacts':
      return paths.artifacts({ name: target.name })
    case 'builds':
      return paths.builds({ project: target.project })
  }
}
