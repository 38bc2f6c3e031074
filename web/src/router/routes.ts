import type { RouteRecordRaw } from 'vue-router'
import { routes as absences } from '@/modules/absences'
import { routes as calls } from '@/modules/calls'
import { routes as chat } from '@/modules/chat'
import { routes as delayed } from '@/modules/delayed'
import { routes as experthelp } from '@/modules/experthelp'
import { routes as complaints } from '@/modules/complaints'
import { routes as knowledge } from '@/modules/knowledge'
import { routes as notify } from '@/modules/notify'
import { routes as org } from '@/modules/org'
import { routes as outages } from '@/modules/outages'
import { routes as overview } from '@/modules/overview'
import { routes as performance } from '@/modules/performance'
import { routes as qaresults } from '@/modules/qaresults'
import { routes as quality } from '@/modules/quality'
import { routes as sla } from '@/modules/sla'
import { routes as surveys } from '@/modules/surveys'
import { routes as workorders } from '@/modules/workorders'
import { passes, type Role } from '@/utils/roles'

const MODULES = [
  overview, performance, surveys, delayed, quality, qaresults, workorders, experthelp, outages, complaints, absences, calls,
  org, sla, notify, chat, knowledge,
]

/**
 * Every page of every feature module, in menu order (pages without a menu entry last). A page's `meta.roles`
 * says who may open it (none = anyone signed in) and `meta.menu` its menu entry; the layout's menu shows
 * exactly the entries the user's roles allow.
 */
const LAST = Number.MAX_SAFE_INTEGER
export const pages: RouteRecordRaw[] = MODULES.flat().sort(
  (a, b) => (a.meta?.menu?.order ?? LAST) - (b.meta?.menu?.order ?? LAST),
)

export function allowed(route: { meta?: { roles?: readonly Role[] } }, roles: ReadonlySet<string>): boolean {
  return passes(route.meta?.roles, roles)
}

/**
 * Where a user lands after sign-in: the first page made for one of their roles (the agent's workbench,
 * the dispatcher's queue, the unit's inbox, the admin's users), else the order list everyone may read. An entry
 * with `landing: false` is skipped (a page some roles only consult).
 */
export function homeFor(roles: ReadonlySet<string>): string {
  const first = pages.find((p) => p.meta?.menu && p.meta.menu.landing !== false && p.meta.roles && allowed(p, roles))
  return first ? `/${first.path}` : '/orders'
}
