import { z } from 'zod'
import { AlertSeverity } from '../../src/contract/alerts'

/** `alerts.webhook` in the config file: where new alerts are posted and how. */
export const AlertWebhookConfig = z
  .object({
    url: z.url({ protocol: /^https?$/, message: 'alerts.webhook.url must be an http or https URL' }),
    secret: z.string().min(16, 'alerts.webhook.secret must be at least 16 characters: the receiver checks X-Hub-Signature-256 with it'),
    minSeverity: AlertSeverity.default('high').meta({ description: 'alerts at or above this severity are posted (default high)' }),
    maxAttempts: z.number().int().min(1).max(10).default(5),
    /** The first retry waits this long; each next one twice as long. */
    backoffMs: z.number().int().min(1).max(600_000).default(2000),
  })
  .strict()
export type AlertWebhook = z.output<typeof AlertWebhookConfig>
