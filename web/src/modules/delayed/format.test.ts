import { describe, expect, it } from 'vitest'
import type { Question } from './api'
import {
  answersBody, answerText, failState, missingAnswers, percent, questionnaireProblems, questionsBody, toDraft, type QuestionDraft,
} from './format'

const QUESTIONS: Question[] = [
  { key: 'overall', kind: 'result', text: '总体满意吗', required: true },
  { key: 'timeliness', kind: 'score', text: '及时吗', required: true },
  { key: 'solved', kind: 'yesno', text: '解决了吗', required: true },
  { key: 'comment', kind: 'text', text: '意见', required: false },
]

describe('the survey page', () => {
  it('maps a failed call to the page it shows', () => {
    expect(failState(404)).toBe('invalid')
    expect(failState(410)).toBe('expired')
    expect(failState(409)).toBe('closed')
    expect(failState(500)).toBe('retry')
    expect(failState(0)).toBe('retry')
  })

  it('finds required questions left unanswered (a 0 score is none; false is an answer)', () => {
    expect(missingAnswers(QUESTIONS, { overall: null, timeliness: 0, solved: false, comment: '' })).toEqual(['overall', 'timeliness'])
    expect(missingAnswers(QUESTIONS, { overall: 'satisfied', timeliness: 4, solved: false })).toEqual([])
  })

  it('sends each answer as its kind wants it, blanks left out', () => {
    expect(answersBody(QUESTIONS, { overall: 'unsatisfied', timeliness: 3, solved: true, comment: '  好  ' }))
      .toEqual({ overall: 'unsatisfied', timeliness: 3, solved: true, comment: '好' })
    expect(answersBody(QUESTIONS, { overall: 'bogus', timeliness: 0, solved: null, comment: ' ' })).toEqual({})
  })

  it('reads an answer in words', () => {
    const t = (k: string, p?: Record<string, unknown>) => (p ? `${k}:${JSON.stringify(p)}` : k)
    expect(answerText('result', 'satisfied', t)).toBe('delayed.result.satisfied')
    expect(answerText('yesno', false, t)).toBe('delayed.no')
    expect(answerText('score', 4, t)).toBe('delayed.scoreOf:{"n":4}')
    expect(answerText('text', 'ok', t)).toBe('ok')
    expect(answerText('text', null, t)).toBe('—')
  })

  it('shows a share as a percentage', () => {
    expect(percent(0.3)).toBe('30%')
    expect(percent(0.125)).toBe('12.5%')
    expect(percent(1)).toBe('100%')
    expect(percent(null)).toBe('—')
  })
})

describe('the questionnaire editor', () => {
  const rows = (): QuestionDraft[] => QUESTIONS.map(toDraft)

  it('accepts 3–6 questions with an overall result question', () => {
    expect(questionnaireProblems('回访', rows())).toEqual([])
  })

  it('names what is wrong', () => {
    expect(questionnaireProblems(' ', rows())).toContain('delayed.editor.nameRequired')
    expect(questionnaireProblems('x', rows().slice(0, 2))).toContain('delayed.editor.count')
    const bad = rows()
    bad[1].key = 'Overall'
    expect(questionnaireProblems('x', bad)).toContain('delayed.editor.keyRule')
    const twice = rows()
    twice[2].key = 'timeliness'
    expect(questionnaireProblems('x', twice)).toContain('delayed.editor.keyUnique')
    const noOverall = rows()
    noOverall[0].kind = 'score'
    expect(questionnaireProblems('x', noOverall)).toContain('delayed.editor.overall')
  })

  it('posts the rows as questions, about handler only when ticked', () => {
    const r = rows()
    r[1].handler = true
    const body = questionsBody(r)
    expect(body[1]).toEqual({ key: 'timeliness', kind: 'score', text: '及时吗', required: true, about: 'handler' })
    expect(body[0]).not.toHaveProperty('about')
  })
})
