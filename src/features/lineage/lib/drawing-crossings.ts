/**
 * Crossings of any layered drawing, from each edge's vertical position at every column it passes: segments
 * between the same two neighbouring columns cross when their order swaps. Used to compare layouts by one
 * yardstick (ours and dagre's); ends shared by two segments are not crossings.
 */
export function countDrawingCrossings(columnsOfEdges: ReadonlyArray<{ column: number; ys: ArrayLike<number> }>): number {
  // Bucket each segment by its left column.
  const byGap = new Map<number, Array<[number, number]>>()
  for (const edge of columnsOfEdges) {
    for (let i = 0; i + 1 < edge.ys.length; i++) {
      const gap = edge.column + i
      let list = byGap.get(gap)
      if (!list) byGap.set(gap, (list = []))
      list.push([edge.ys[i]!, edge.ys[i + 1]!])
    }
  }
  let total = 0
  for (const segments of byGap.values()) total += inversions(segments)
  return total
}

/** Pairs of segments whose left ends are in one order and right ends strictly in the other. */
function inversions(segments: Array<[number, number]>): number {
  segments.sort((a, b) => a[0] - b[0] || a[1] - b[1])
  const rights = Array.from(new Set(segments.map((segment) => segment[1]))).sort((a, b) => a - b)
  const rank = new Map(rights.map((value, index) => [value, index + 1]))
  const tree = new Int32Array(rights.length + 1)
  let crossings = 0
  let inserted = 0
  let groupStart = 0
  // Segments sharing a left end never cross each other: insert a whole group after counting it.
  for (let i = 0; i <= segments.length; i++) {
    if (i < segments.length && segments[i]![0] === segments[groupStart]![0]) continue
    for (let j = groupStart; j < i; j++) {
      const r = rank.get(segments[j]![1])!
      let atMost = 0
      for (let k = r; k > 0; k -= k & -k) atMost += tree[k]!
      crossings += inserted - atMost
    }
    for (let j = groupStart; j < i; j++) {
      for (let k = rank.get(segments[j]![1])!; k <= rights.length; k += k & -k) tree[k]!++
      inserted++
    }
    groupStart = i
  }
  return crossings
}
