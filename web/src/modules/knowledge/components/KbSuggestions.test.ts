import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { i18n } from '@/locales'
import { useAuthStore } from '@/stores/auth'

// Node cannot load Element Plus's CSS: the auto-imported style imports are stubbed
vi.mock('element-plus/es/components/base/style/css', () => ({}))
vi.mock('element-plus/es/components/tag/style/css', () => ({}))
vi.mock('element-plus/es/components/icon/style/css', () => ({}))
vi.mock('element-plus/es/components/loading/style/css', () => ({}))
vi.mock('element-plus/es/components/drawer/style/css', () => ({}))
vi.mock('element-plus/es/components/alert/style/css', () => ({}))
vi.mock('element-plus/es/components/empty/style/css', () => ({}))
const { default: KbSuggestions } = await import('./KbSuggestions.vue')

let asked: URL[]
function hit(id: number) {
  return { id, source: 'article', kind: 'faq', title: `问题${id}`, snippet: `关于【过户】${id}`, score: 1, category_id: 4 }
}

describe('KbSuggestions (the workbench’s 知识推荐)', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    setActivePinia(createPinia())
    useAuthStore().user = { roles: ['agent'] } as never
    i18n.global.locale.value = 'zh-CN'
    asked = []
    vi.stubGlobal('fetch', vi.fn(async (req: Request) => {
      asked.push(new URL(req.url, 'http://x'))
      return new Response(JSON.stringify({ q: '', items: [1, 2, 3, 4, 5, 6].map(hit) }),
        { status: 200, headers: { 'content-type': 'application/json' } })
    }))
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.unstubAllGlobals()
  })

  const show = (description: string, category: string | null = null) =>
    mount(KbSuggestions, { props: { description, category }, global: { plugins: [i18n], stubs: { ArticleDrawer: true } } })

  it('searches 400 ms after the last change, with the category and the description, for five at most', async () => {
    const w = show('', '无气/气压低')
    await w.setProps({ description: '客户说' })
    vi.advanceTimersByTime(300)
    await w.setProps({ description: '客户说过户' })
    vi.advanceTimersByTime(399)
    expect(asked).toEqual([])
    vi.advanceTimersByTime(1)
    await flushPromises()
    expect(asked).toHaveLength(1)
    expect(asked[0].pathname).toBe('/api/v1/kb/search')
    expect(asked[0].searchParams.get('q')).toBe('无气/气压低 客户说过户')
    expect(asked[0].searchParams.get('limit')).toBe('5')
    const items = w.findAll('[data-test=kb-suggestion]')
    expect(items).toHaveLength(5)
    expect(items[0].find('mark').text()).toBe('过户')
  })

  it('shows nothing and asks nothing while there is too little to search', async () => {
    const w = show('气')
    vi.advanceTimersByTime(1000)
    await flushPromises()
    expect(asked).toEqual([])
    expect(w.find('[data-test=kb-suggestions]').exists()).toBe(false)
  })

  it('asks nothing for a role that does not read the knowledge base', async () => {
    useAuthStore().user = { roles: ['unit_handler'] } as never
    show('客户问燃气过户')
    vi.advanceTimersByTime(1000)
    await flushPromises()
    expect(asked).toEqual([])
  })
})
