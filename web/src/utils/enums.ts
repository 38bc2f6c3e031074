import type { Schemas } from '@/api/client'

export type Role = Schemas['UserCreate']['roles'][number]

/** Every role, in the order the menus and filters show them. */
export const ROLES: Role[] = [
  'agent', 'duty_manager', 'floor_manager', 'supervisor', 'director', 'dispatcher', 'unit_handler',
  'qa_inspector', 'admin',
]

export const UNIT_KINDS = ['company', 'branch', 'station'] as const
export const AREA_TYPES = ['urban', 'rural', 'remote'] as const
export const GRADES = ['normal', 'important', 'urgent'] as const
export const ORDER_TYPES = [
  'inquiry', 'service_request', 'repair', 'emergency', 'complaint', 'suggestion', 'praise', 'callback', 'care',
] as const
