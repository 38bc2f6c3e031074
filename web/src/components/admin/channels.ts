// Whether the installation's notification channels are on, asked once per page load (admins only: anyone
// else gets a 403 and sees no notice).
import { shallowRef } from 'vue'
import type { Schemas } from '@/api/client'
import { loadChannels } from '@/modules/notify/api'

export const channelsState = shallowRef<Schemas['ChannelsPublic'] | null>(null)
let asked = false

export async function loadChannelsOnce(): Promise<void> {
  if (asked) return
  asked = true
  try {
    channelsState.value = await loadChannels()
  } catch {
    channelsState.value = null // not an admin, or the server could not say: no notice
  }
}
