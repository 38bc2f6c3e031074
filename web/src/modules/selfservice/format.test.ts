import { describe, expect, it } from 'vitest'
import {
  admitPhotos, backoffMs, cleanPhone, fitWithin, greetingOf, isCode, isEmergencyKind, isMessageId, isReportKind,
  lastIdOf, liveSuggestionsId, locationProblem, MAX_PHOTOS, mergeMessages, newMessageId, parseFrame, plainSnippet,
  rateBody, ratingInvited, reportFields, REPORT_KINDS, secondsLeft, sideOf, snippetParts, socketUrl, stateAfter,
  stateTone, suggestionsOf, timelineOf, waitFrom, type ChatMessageLike,
} from './format'

const msg = (id: number, sender: string, extra: Partial<ChatMessageLike> = {}): ChatMessageLike => ({
  id, sender, mine: sender === 'customer', text: `m${id}`, data: {}, created_at: '2026-05-01T02:00:00Z', ...extra,
})

describe('sign-in', () => {
  it('takes a mainland mobile number however it is typed', () => {
    expect(cleanPhone('13812345678')).toBe('13812345678')
    expect(cleanPhone(' 138 1234-5678 ')).toBe('13812345678')
    expect(cleanPhone('+86 13812345678')).toBe('13812345678')
    expect(cleanPhone('008613812345678')).toBe('13812345678')
    expect(cleanPhone('1381234567')).toBe('')
    expect(cleanPhone('12812345678')).toBe('')
    expect(cleanPhone('023-6388 1234')).toBe('')
  })

  it('wants a six-digit code', () => {
    expect(isCode('012345')).toBe(true)
    expect(isCode(' 012345 ')).toBe(true)
    expect(isCode('12345')).toBe(false)
    expect(isCode('12a456')).toBe(false)
  })

  it('counts down whole seconds, never below zero', () => {
    expect(secondsLeft(60_000, 0)).toBe(60)
    expect(secondsLeft(60_000, 100)).toBe(60) // 59.9 s rounds up
    expect(secondsLeft(60_000, 59_001)).toBe(1)
    expect(secondsLeft(60_000, 60_000)).toBe(0)
    expect(secondsLeft(60_000, 90_000)).toBe(0)
  })

  it('waits as long as a 429 asks, else a minute', () => {
    expect(waitFrom({ code: 'self.code_just_sent', retry_after: 37 })).toBe(37)
    expect(waitFrom({ code: 'self.codes_per_hour' })).toBe(60)
    expect(waitFrom({ retry_after: 0 })).toBe(60)
    expect(waitFrom({}, 45)).toBe(45)
  })

  it('greets by the hour', () => {
    expect(greetingOf(7)).toBe('morning')
    expect(greetingOf(12)).toBe('noon')
    expect(greetingOf(15)).toBe('afternoon')
    expect(greetingOf(21)).toBe('evening')
    expect(greetingOf(2)).toBe('evening')
  })
})

describe('reports', () => {
  it('knows the kinds the server takes, a gas smell an emergency', () => {
    expect(REPORT_KINDS.map((k) => k.kind)).toEqual([
      'gas-leak', 'no-gas', 'gas-meter', 'gas-appliance', 'gas-pipe', 'no-power', 'power-meter', 'no-water',
    ])
    expect(isReportKind('no-gas')).toBe(true)
    expect(isReportKind('fire')).toBe(false)
    expect(isEmergencyKind('gas-leak')).toBe(true)
    expect(isEmergencyKind('no-gas')).toBe(false)
    expect(isEmergencyKind(null)).toBe(false)
  })

  it('admits up to six images of the types the server stores', () => {
    const jpg = { type: 'image/jpeg', size: 1000 }
    expect(admitPhotos(0, [jpg, jpg])).toEqual({ admitted: [jpg, jpg], problem: null })
    const seven = Array.from({ length: 7 }, () => jpg)
    expect(admitPhotos(0, seven).admitted).toHaveLength(MAX_PHOTOS)
    expect(admitPhotos(0, seven).problem).toBe('too-many')
    expect(admitPhotos(5, [jpg, jpg])).toEqual({ admitted: [jpg], problem: 'too-many' })
    expect(admitPhotos(0, [{ type: 'image/heic', size: 10 }, jpg])).toEqual({ admitted: [jpg], problem: 'not-image' })
    expect(admitPhotos(0, [{ type: 'application/pdf', size: 10 }]).problem).toBe('not-image')
    expect(admitPhotos(0, [{ type: 'image/png', size: 11 * 1024 * 1024 }]).problem).toBe('too-large')
  })

  it('scales a large photo down to 1600 px on its longer side', () => {
    expect(fitWithin(4000, 3000)).toEqual({ width: 1600, height: 1200 })
    expect(fitWithin(3000, 4000)).toEqual({ width: 1200, height: 1600 })
    expect(fitWithin(1600, 900)).toBeNull()
    expect(fitWithin(0, 0)).toBeNull()
  })

  it('sends the fields given, the place when located', () => {
    expect(reportFields({ kind: 'no-gas', description: ' 没气了 ', address: '  ', location: null })).toEqual([
      ['kind', 'no-gas'], ['description', '没气了'],
    ])
    expect(
      reportFields({ kind: 'no-water', description: 'x', address: '渝中区解放碑1号', location: { latitude: 29.5583, longitude: 106.5769 } }),
    ).toEqual([
      ['kind', 'no-water'], ['description', 'x'], ['address', '渝中区解放碑1号'], ['latitude', '29.558300'], ['longitude', '106.576900'],
    ])
  })

  it('words a refused location by its code', () => {
    expect(locationProblem(1)).toBe('denied')
    expect(locationProblem(2)).toBe('unavailable')
    expect(locationProblem(3)).toBe('timeout')
    expect(locationProblem(null)).toBe('unsupported')
  })
})

describe('orders', () => {
  it('shows the steps newest first, the newest as where the order is now', () => {
    const steps = [
      { at: '2026-05-01T02:00:00Z', action: 'register', text: '您的诉求已受理' },
      { at: '2026-05-01T02:05:00Z', action: 'dispatch', text: '已派至渝中供气所处理' },
      { at: '2026-05-01T01:59:00Z', action: 'urge', text: ' 已催促处理单位加快处理 ' },
    ]
    const items = timelineOf(steps)
    expect(items.map((i) => i.action)).toEqual(['dispatch', 'register', 'urge'])
    expect(items.map((i) => i.current)).toEqual([true, false, false])
    expect(items[0].at).toBe('2026-05-01 10:05')
    expect(items[2].text).toBe('已催促处理单位加快处理')
    expect(new Set(items.map((i) => i.key)).size).toBe(3)
    expect(timelineOf([])).toEqual([])
  })

  it('keeps the order of steps at the same moment', () => {
    const at = '2026-05-01T02:00:00Z'
    const items = timelineOf([{ at, action: 'register', text: 'a' }, { at, action: 'dispatch', text: 'b' }])
    expect(items.map((i) => i.action)).toEqual(['dispatch', 'register'])
  })

  it('colours the states', () => {
    expect(stateTone('closed')).toBe('done')
    expect(stateTone('resolved')).toBe('check')
    expect(stateTone('registered')).toBe('waiting')
    expect(stateTone('in_progress')).toBe('active')
  })

  it('rates with a comment only when there is one', () => {
    expect(rateBody('satisfied', '  ')).toEqual({ result: 'satisfied' })
    expect(rateBody('unsatisfied', ' 太慢 ')).toEqual({ result: 'unsatisfied', comment: '太慢' })
    expect(rateBody('satisfied', 'x'.repeat(600)).comment).toHaveLength(500)
  })
})

describe('chat', () => {
  it('makes message ids the server takes, all different', () => {
    const ids = new Set(Array.from({ length: 200 }, () => newMessageId()))
    expect(ids.size).toBe(200)
    for (const id of ids) expect(isMessageId(id)).toBe(true)
    const fixed = newMessageId(0, (n) => new Uint8Array(n))
    expect(fixed).toBe('w0_AAAAAAAAAAAA')
    expect(isMessageId('short')).toBe(false)
    expect(isMessageId('has space in it')).toBe(false)
  })

  it('merges a thread by id, oldest first', () => {
    const a = [msg(1, 'customer'), msg(3, 'bot')]
    const merged = mergeMessages(a, [msg(2, 'bot'), { ...msg(3, 'bot'), text: 'new' }])
    expect(merged.map((m) => m.id)).toEqual([1, 2, 3])
    expect(merged[2].text).toBe('new')
    expect(lastIdOf(merged)).toBe(3)
    expect(lastIdOf([])).toBe(0)
  })

  it('puts mine right, the centre left, notices in the middle', () => {
    expect(sideOf(msg(1, 'customer'))).toBe('right')
    expect(sideOf(msg(1, 'bot'))).toBe('left')
    expect(sideOf(msg(1, 'agent'))).toBe('left')
    expect(sideOf(msg(1, 'system'))).toBe('center')
  })

  it('follows the conversation state from the messages', () => {
    expect(stateAfter(null, [msg(1, 'customer'), msg(2, 'bot')])).toBe('bot')
    expect(stateAfter('bot', [msg(3, 'system', { data: { event: 'queued' } })])).toBe('queued')
    expect(stateAfter('queued', [msg(4, 'bot')])).toBe('queued')
    expect(stateAfter('queued', [msg(4, 'system', { data: { event: 'accepted' } })])).toBe('assigned')
    expect(stateAfter('queued', [msg(4, 'agent')])).toBe('assigned')
    expect(stateAfter('assigned', [msg(5, 'system', { data: { event: 'to_bot' } })])).toBe('bot')
    expect(stateAfter('assigned', [msg(5, 'system', { data: { event: 'rating' } })])).toBe('closed')
    expect(stateAfter('closed', [msg(6, 'customer'), msg(7, 'bot')])).toBe('bot')
  })

  it('offers the bot’s suggestions while they are the last word', () => {
    const offer = msg(2, 'bot', { data: { suggestions: [
      { article_id: 7, title: '燃气费可以通过哪些方式缴纳？', confidence: 0.4 },
      { article_id: 8, title: '怎么办理燃气费银行代扣？', confidence: 0.3 },
      { article_id: 9, title: 'c', confidence: 0.2 }, { article_id: 10, title: 'd', confidence: 0.1 },
      { title: 'no id' },
    ] } })
    expect(suggestionsOf(offer).map((s) => s.article_id)).toEqual([7, 8, 9])
    expect(suggestionsOf(msg(1, 'bot'))).toEqual([])
    expect(liveSuggestionsId([msg(1, 'customer'), offer])).toBe(2)
    expect(liveSuggestionsId([offer, msg(3, 'customer')])).toBeNull()
    expect(liveSuggestionsId([])).toBeNull()
  })

  it('sees the rating invitation at the end of a closed conversation', () => {
    expect(ratingInvited([msg(1, 'system', { data: { event: 'rating' } })])).toBe(true)
    expect(ratingInvited([msg(1, 'system', { data: { event: 'rating' } }), msg(2, 'customer')])).toBe(false)
  })

  it('reads the socket’s frames and nothing else', () => {
    expect(parseFrame(JSON.stringify({ type: 'messages', messages: [{ id: 1, sender: 'bot', text: 'x' }, { no: 1 }] }))).toEqual({
      type: 'messages', messages: [{ id: 1, sender: 'bot', text: 'x', data: {} }],
    })
    expect(parseFrame('{"type":"error","detail":"too long"}')).toEqual({ type: 'error', detail: 'too long' })
    expect(parseFrame('pong')).toBeNull()
    expect(parseFrame('{"type":"hello"}')).toBeNull()
    expect(parseFrame(42)).toBeNull()
  })

  it('backs off 1 s, 2 s, 4 s … up to 30 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 50].map(backoffMs)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000])
  })

  it('opens the socket on the page’s own host and scheme', () => {
    expect(socketUrl({ protocol: 'http:', host: '127.0.0.1:8000' }, 'a/b')).toBe('ws://127.0.0.1:8000/api/v1/self/ws?token=a%2Fb')
    expect(socketUrl({ protocol: 'https:', host: 'kf.example.cn' }, 't')).toBe('wss://kf.example.cn/api/v1/self/ws?token=t')
  })
})

describe('FAQ', () => {
  it('marks the matched words of a snippet', () => {
    expect(snippetParts('…【燃气】费可以通过【微信】缴纳')).toEqual([
      { text: '…', hit: false }, { text: '燃气', hit: true }, { text: '费可以通过', hit: false },
      { text: '微信', hit: true }, { text: '缴纳', hit: false },
    ])
    expect(snippetParts('no marks')).toEqual([{ text: 'no marks', hit: false }])
    expect(snippetParts('【】x')).toEqual([{ text: 'x', hit: false }])
    expect(snippetParts('<b>【x】</b>')).toEqual([{ text: '<b>', hit: false }, { text: 'x', hit: true }, { text: '</b>', hit: false }])
    expect(plainSnippet('【燃气】费')).toBe('燃气费')
  })
})
