import type { Viewport } from './lineage-search'
import { nodeHeight, NODE_WIDTH, stateStyle, traceEdge, typeColour, type Scene } from './scene'

/**
 * The current view as a standalone SVG document: the nodes and edges inside the viewport, in the canvas's styles,
 * with each node's state and flag written out. Labels come from stored documents, so they are escaped text.
 */
export function viewToSvg(scene: Scene, viewport: Viewport, width: number, height: number): string {
  const { view, layout } = scene
  const left = viewport.x
  const top = viewport.y
  const right = left + width / viewport.scale
  const bottom = top + height / viewport.scale
  const parts: string[] = []
  view.edges.forEach((edge, e) => {
    if (scene.edgeBottom[e]! < top || scene.edgeTop[e]! > bottom) return
    const style = stateStyle[edge.state]
    const d = new PathText()
    traceEdge(d, layout, e)
    parts.push(
      `<path d="${d.text}" fill="none" stroke="${style.colour}" stroke-width="${style.width}"${style.dash.length ? ` stroke-dasharray="${style.dash.join(' ')}"` : ''}><title>${escapeXml(`${edge.type}, ${style.word}: ${edge.reason}`)}</title></path>`,
    )
  })
  view.nodes.forEach((node, index) => {
    const x = layout.x[index]!
    const h = nodeHeight(node)
    const y = layout.y[index]! - h / 2
    if (x > right || x + NODE_WIDTH < left || y > bottom || y + h < top) return
    const style = stateStyle[node.state]
    parts.push(
      `<g><title>${escapeXml(node.name)}</title>` +
        `<rect x="${x}" y="${y}" width="${NODE_WIDTH}" height="${h}" fill="${typeColour[node.kind]}" stroke="${style.colour}" stroke-width="${node.state === 'failed' ? 2.5 : 1.25}"${node.state === 'unverified' ? ' stroke-dasharray="5 3"' : ''}/>` +
        (node.flag ? `<rect x="${x}" y="${y}" width="5" height="${h}" fill="#c0241b"/>` : '') +
        `<text x="${x + 10}" y="${y + 18}" font-family="system-ui, sans-serif" font-size="13" font-weight="600" fill="#17202b">${escapeXml(`${node.kind} · ${node.label}`)}</text>` +
        `<text x="${x + 10}" y="${y + 36}" font-family="ui-monospace, monospace" font-size="12" fill="#4a5563">${escapeXml(`${node.detail} · ${style.mark} ${style.word}${node.flag ? ` · ${node.flag}` : ''}`)}</text></g>`,
    )
  })
  const viewBox = `${left} ${top} ${width / viewport.scale} ${height / viewport.scale}`
  return `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="${viewBox}" width="${width}" height="${height}"><rect x="${left}" y="${top}" width="${width / viewport.scale}" height="${height / viewport.scale}" fill="#ffffff"/>${parts.join('')}</svg>\n`
}

/** Collects path commands as SVG path data. */
class PathText {
  text = ''
  moveTo(x: number, y: number) {
    this.text += `M${round(x)} ${round(y)}`
  }
  lineTo(x: number, y: number) {
    this.text += `L${round(x)} ${round(y)}`
  }
  bezierCurveTo(a: number, b: number, c: number, d: number, e: number, f: number) {
    this.text += `C${round(a)} ${round(b)} ${round(c)} ${round(d)} ${round(e)} ${round(f)}`
  }
}

const round = (value: number) => Math.round(value * 10) / 10

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
}
