import type { Db } from './db'

/** Small values the server keeps between starts (e.g. the fingerprint of the trust material last verified with). */
export interface SettingsRepository {
  get(key: string): Promise<string | null>
  set(key: string, value: string): Promise<void>
}

export function settingsRepository(db: Db): SettingsRepository {
  return {
    get: async (key) => {
      const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst()
      return row?.value ?? null
    },
    set: async (key, value) => {
      await db
        .insertInto('settings')
        .values({ key, value })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
        .execute()
    },
  }
}
