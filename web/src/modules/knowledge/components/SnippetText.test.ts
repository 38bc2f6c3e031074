import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import SnippetText from './SnippetText.vue'

describe('SnippetText', () => {
  it('highlights the marked words as <mark> elements', () => {
    const w = mount(SnippetText, { props: { text: '燃气【过户】需携带【身份证】' } })
    expect(w.findAll('mark').map((m) => m.text())).toEqual(['过户', '身份证'])
    expect(w.text()).toBe('燃气过户需携带身份证')
  })

  it('keeps the server’s text as text, never markup', () => {
    const w = mount(SnippetText, { props: { text: '<img src=x onerror="alert(1)">【<b>过户</b>】' } })
    expect(w.find('img').exists()).toBe(false)
    expect(w.find('b').exists()).toBe(false)
    expect(w.find('mark').text()).toBe('<b>过户</b>')
    expect(w.html()).toContain('&lt;img src=x onerror="alert(1)"&gt;')
  })
})
