// Notifications' API: the notification centre's pages, and what the notifications store (which spans every
// page and keeps the live state: socket, pending acknowledgements, counts) sends.
import { api, unwrap, type Query, type Schemas } from '@/api/client'

/** A page of the user's notifications, newest first (`before`: older than that id), with the counts. */
export function listNotifications(query: Query<'notifications-list'>): Promise<Schemas['NotificationsPublic']> {
  return unwrap(api.GET('/api/v1/notifications', { params: { query } }))
}

/** Acknowledges one (the server also marks it read and tells the user's other tabs). */
export function ackNotification(id: number): Promise<Schemas['NotificationPublic']> {
  return unwrap(api.POST('/api/v1/notifications/{notification_id}/ack', { params: { path: { notification_id: id } } }))
}

/** Marks these (or all) read; answers how many changed. */
export function markNotificationsRead(ids?: number[]): Promise<Schemas['ReadOut']> {
  return unwrap(api.POST('/api/v1/notifications/read', { body: ids ? { ids } : {} }))
}

/** Which ways out are on here (admins): a channel that is off has its messages skipped, not sent. */
export function loadChannels(): Promise<Schemas['ChannelsPublic']> {
  return unwrap(api.GET('/api/v1/notifications/channels'))
}
