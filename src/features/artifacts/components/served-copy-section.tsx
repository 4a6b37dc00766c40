import type { ChangedOutput } from '../../../contract/meta'
import { Section } from '../../../components/ui/card-section'

/**
 * The running server's own files that its build's provenance attests as this artifact, with other bytes on disk:
 * the program serving this page is not the one that was attested. Shown only when there is such a file.
 */
export function ServedCopySection({ changed }: { changed: readonly ChangedOutput[] }) {
  if (changed.length === 0) return null
  return (
    <Section id="served-copy" title="The copy this server serves differs">
      <p>
        This dashboard’s own build attests this artifact, but the file it reads from disk and serves is not those bytes. It was changed after the build, so
        what runs is not what its provenance describes.
      </p>
      <table className="data-table">
        <caption className="visually-hidden">Files that differ from their provenance</caption>
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col">Attested (this artifact)</th>
            <th scope="col">Served</th>
          </tr>
        </thead>
        <tbody>
          {changed.map((file) => (
            <tr key={file.name}>
              <th scope="row" className="mono">
                {file.name}
              </th>
              <td className="mono digest-cell">{file.attested}</td>
              <td className="mono digest-cell">{file.served}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  )
}
