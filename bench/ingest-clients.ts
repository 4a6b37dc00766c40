/**
 * The HTTP clients of bench/formats.ts, in a process of their own so that their CPU is not the server's:
 * `tsx bench/ingest-clients.ts <url> <token> <bodies.jsonl> <clients>` posts each line of the file as one
 * request, `<clients>` at a time over keep-alive connections, and prints one JSON line: how many, how long,
 * and this process's CPU time. Any answer but 201 with the document new and verified stops it with the answer.
 */
import { readFileSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { z } from 'zod'

const Stored = z.object({ documents: z.array(z.object({ created: z.boolean(), verification: z.object({ status: z.string() }) })).length(1) })

const [url = '', token = '', file = '', clientsArg = '4'] = process.argv.slice(2)
const bodies = readFileSync(file, 'utf8').split('\n').filter((line) => line !== '')
const clients = Number(clientsArg)
// node:http rather than fetch: a request costs the client about half the CPU, which on two cores the server gets.
const agent = new Agent({ keepAlive: true, maxSockets: clients })
const target = new URL(url)

function post(body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        // What fetch sends: an ingest answer may come back compressed, as it would to a fetch client.
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'accept-encoding': 'br, gzip' },
      },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () => {
          const answer = Buffer.concat(chunks).toString()
          if (response.statusCode !== 201) return reject(new Error(`ingest answered ${response.statusCode}: ${answer}`))
          // Stored, new and verified: the figure counts nothing else.
          const stored = Stored.safeParse(JSON.parse(answer))
          if (!stored.success || stored.data.documents.some((document) => !document.created || document.verification.status !== 'verified')) {
            return reject(new Error(`ingest did not store a new verified document: ${answer}`))
          }
          resolve()
        })
        response.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

let next = 0
const client = async () => {
  while (next < bodies.length) await post(bodies[next++] ?? '')
}
const cpu = process.cpuUsage()
const started = performance.now()
await Promise.all(Array.from({ length: clients }, client))
const used = process.cpuUsage(cpu)
agent.destroy()
console.log(JSON.stringify({ requests: bodies.length, ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000 }))
