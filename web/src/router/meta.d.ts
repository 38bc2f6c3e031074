import 'vue-router'
import type { Component } from 'vue'
import type { Role } from '@/utils/roles'

/** A page's entry in the side menu. */
export interface MenuEntry {
  /** i18n key of the entry */
  label: string
  icon: Component
  /** i18n key of the sub-menu it sits in (系统管理, 时限管理, 话务管理); none = top level */
  group?: string
  /** position in the menu, across modules (the first entry a user's roles allow is where they land) */
  order: number
  /** false: never where a user lands, though their roles may open it (the admin reads 满意度 but starts at
   * 用户与角色) */
  landing?: boolean
}

declare module 'vue-router' {
  interface RouteMeta {
    public?: boolean
    /** a page for customers (the rating link): the guard does not even ask who is signed in */
    anonymous?: boolean
    /** who may open the page (a gate of utils/roles.ts); none = everyone signed in */
    roles?: readonly Role[]
    menu?: MenuEntry
  }
}
