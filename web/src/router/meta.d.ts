import 'vue-router'

declare module 'vue-router' {
  interface RouteMeta {
    public?: boolean
    roles?: string[]
    menu?: string
    group?: string
    icon?: string
  }
}
