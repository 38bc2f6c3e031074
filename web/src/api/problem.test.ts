import { afterEach, describe, expect, it } from 'vitest'
import { ApiError } from './client'
import { i18n } from '@/locales'

afterEach(() => {
  i18n.global.locale.value = 'zh-CN'
})

describe("the server's errors in the user's language", () => {
  it('words an error with a code in Chinese, with the facts it carries', () => {
    const e = new ApiError(401, { title: 'Not signed in', detail: 'wrong code (2 tries left)', code: 'self.code_wrong', tries_left: 2 })
    expect(e.message).toBe('验证码错误，还可再试 2 次')
    expect(e.detail).toBe('wrong code (2 tries left)')
    expect(e.code).toBe('self.code_wrong')
  })

  it('and in English when the app is in English', () => {
    i18n.global.locale.value = 'en'
    const e = new ApiError(401, { detail: 'wrong code (2 tries left)', code: 'self.code_wrong', tries_left: 2 })
    expect(e.message).toBe('Wrong code (2 tries left)')
  })

  it('words a validation error by its reason and limits', () => {
    const body = {
      detail: 'body.description: String should have at most 2000 characters',
      code: 'request.invalid',
      field: 'description',
      reason: 'string_too_long',
      errors: [{ loc: ['body', 'description'], msg: '…', type: 'string_too_long', ctx: { max_length: 2000 } }],
    }
    expect(new ApiError(422, body).message).toBe('description 最多 2000 个字符')
    expect(new ApiError(422, { ...body, reason: 'something_new', errors: [] }).message).toBe('输入有误：description')
  })

  it('words an error without a code by its status, keeping the server’s words after it', () => {
    expect(new ApiError(409, { detail: 'order GD1 is closed' }).message).toBe('与当前状态冲突：order GD1 is closed')
    expect(new ApiError(418, {}).message).toBe('请求失败（418）')
    i18n.global.locale.value = 'en'
    expect(new ApiError(409, { detail: 'order GD1 is closed' }).message).toBe('order GD1 is closed')
  })

  it('says the network failed when the server was not reached', () => {
    expect(new ApiError(0, { title: 'network', detail: 'Failed to fetch' }).message).toBe('网络连接失败，请检查网络后重试')
  })
})
