import { z } from 'zod'

/*
 * The Lineage screen's state as its URL holds it, so a shared link shows the same picture: where the graph starts,
 * how deep and which way it walks, the node in focus, the groups opened (their expand cursors), the nodes
 * collapsed, the node selected, and the viewport. Anything unreadable falls back to its default rather than
 * failing the page (a hand-edited or stale link still opens).
 */

const nodeId = z.string().min(3).max(300)
const list = (item: z.ZodString, max: number) =>
  z
    .string()
    .transform((text) => text.split(',').filter((part) => part !== ''))
    .pipe(z.array(item).max(max))
    .catch((): string[] => [])

export const Viewport = z.object({ x: z.number().finite(), y: z.number().finite(), scale: z.number().min(0.001).max(8) })
export type Viewport = z.infer<typeof Viewport>

export const LineageSearch = z.object({
  from: z.string().trim().min(1).max(300).optional().catch(undefined),
  depth: z.coerce.number().int().min(1).max(6).catch(3),
  direction: z.enum(['up', 'down', 'both']).catch('both'),
  focus: nodeId.optional().catch(undefined),
  selected: nodeId.optional().catch(undefined),
  /** Expand cursors of the groups opened, as the API returned them. */
  expand: list(z.string().regex(/^[A-Za-z0-9_-]{1,400}$/), 20),
  /** Node ids whose further neighbours are folded away. */
  collapsed: list(nodeId, 200),
  /** Keys of nodes whose neighbourhood was opened beyond the depth (one hop each). */
  more: list(z.string().min(1).max(300), 10),
  /** `x,y,scale`: the graph point at the view's top-left corner, and the zoom. */
  view: z
    .string()
    .transform((text) => text.split(',').map(Number))
    .pipe(z.tuple([z.number(), z.number(), z.number()]))
    .transform(([x, y, scale]) => Viewport.safeParse({ x, y, scale }).data)
    .optional()
    .catch(undefined),
})
export type LineageSearch = z.infer<typeof LineageSearch>

const keys = ['from', 'depth', 'direction', 'focus', 'selected', 'expand', 'collapsed', 'more', 'view'] as const

export function readLineageSearch(params: URLSearchParams): LineageSearch {
  const raw: Record<string, string> = {}
  for (const key of keys) {
    const value = params.get(key)
    if (value !== null && value !== '') raw[key] = value
  }
  return LineageSearch.parse(raw)
}

/** The URL query of a state; defaults left out so links stay short. */
export function writeLineageSearch(search: Partial<LineageSearch>): Record<string, string | undefined> {
  const view = search.view
  return {
    from: search.from,
    depth: search.depth === undefined || search.depth === 3 ? undefined : String(search.depth),
    direction: search.direction === undefined || search.direction === 'both' ? undefined : search.direction,
    focus: search.focus,
    selected: search.selected,
    expand: search.expand?.length ? search.expand.join(',') : undefined,
    collapsed: search.collapsed?.length ? search.collapsed.join(',') : undefined,
    more: search.more?.length ? search.more.join(',') : undefined,
    view: view ? `${Math.round(view.x)},${Math.round(view.y)},${Number(view.scale.toFixed(4))}` : undefined,
  }
}
