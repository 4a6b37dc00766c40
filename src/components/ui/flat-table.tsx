import { flatten } from '../../lib/build-facts'

/** A JSON value from a document as `path → value` rows: readable, comparable, and text only. */
export function FlatTable({ value, label, empty }: { value: unknown; label: string; empty: string }) {
  const rows = flatten(value)
  if (rows.length === 0) return <p className="muted">{empty}</p>
  return (
    <div className="table-wrap">
      <table className="data-table flat-table" aria-label={label}>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Value</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.path}>
              <th scope="row">
                <code className="mono">{row.path}</code>
              </th>
              <td className="cell-wrap">
                <span className="untrusted-text">{row.value}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
