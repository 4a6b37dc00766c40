import type { Kysely, Migration } from 'kysely'

/**
 * What each occurrence of an alert expected, beside what it found. An alert keeps the evidence of its newest build,
 * and for some causes the expectation is the build's own (a rebuild mismatch expects each build's published digest):
 * the older builds listed on the alert showed only what was found. Occurrences stored before this have none (null).
 */
export const occurrenceExpectedMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('alert_occurrences').addColumn('expected', 'text').execute()
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('alert_occurrences').dropColumn('expected').execute()
  },
}
