import { describe, expect, it } from 'vitest'
import { nextTick, ref } from 'vue'
import {
  categoryPath, filterCategories, indexById, safetyScriptOf, useCategoryPicker, type PickerCategory,
} from './useCategoryPicker'

let nextId = 1
function cat(code: string, name: string, name_en: string, type: string, parent?: PickerCategory,
  extra: Partial<PickerCategory> = {}): PickerCategory {
  return {
    id: nextId++, code, name, name_en, type, parent_id: parent ? parent.id : null, default_grade: 'normal',
    safety_script: null, is_active: true, ...extra,
  }
}

const emGas = cat('EM-GAS', '燃气事故', 'Gas emergency', 'emergency', undefined, { default_grade: 'urgent' })
const leak = cat('EM-GAS-LEAK', '燃气泄漏/闻到异味', 'Gas leak / smell of gas', 'emergency', emGas,
  { safety_script: '请您立即打开门窗通风', default_grade: 'urgent' })
const fire = cat('EM-GAS-FIRE', '燃气着火/爆炸', 'Gas fire / explosion', 'emergency', emGas)
const rpGas = cat('RP-GAS', '燃气报修', 'Gas repair', 'repair')
const noGas = cat('RP-GAS-NOGAS', '无气/气压低', 'No gas / low pressure', 'repair', rpGas, { default_grade: 'important' })
const meter = cat('RP-GAS-METER', '燃气表具故障', 'Gas meter fault', 'repair', rpGas)
const rpElec = cat('RP-ELEC', '电力报修', 'Power repair', 'repair')
const outage = cat('RP-ELEC-OUTAGE', '停电报修', 'Power outage', 'repair', rpElec)
const elecMeter = cat('RP-ELEC-METER', '电表故障', 'Electricity meter fault', 'repair', rpElec)
const old = cat('RP-GAS-OLD', '旧分类', 'Retired', 'repair', rpGas, { is_active: false })
const bill = cat('IQ-BILL', '气费/电费查询', 'Bill inquiry', 'inquiry')
const ALL = [emGas, leak, fire, rpGas, noGas, meter, rpElec, outage, elecMeter, old, bill]

const codes = (type: string, q: string, locale = 'zh-CN') => filterCategories(ALL, type, q, locale).map((o) => o.value)

describe('category paths and safety scripts', () => {
  it('shows parent › child in the chosen language', () => {
    const byId = indexById(ALL)
    expect(categoryPath(noGas, byId, 'zh-CN')).toBe('燃气报修 › 无气/气压低')
    expect(categoryPath(noGas, byId, 'en')).toBe('Gas repair › No gas / low pressure')
    expect(categoryPath(bill, byId, 'zh-CN')).toBe('气费/电费查询')
  })

  it("takes a category's own script, else the nearest ancestor's", () => {
    const withParentScript = cat('EM-X', '子类', 'Child', 'emergency', { ...emGas, safety_script: '父级提示' })
    const byId = indexById([...ALL, { ...emGas, safety_script: '父级提示' }, withParentScript])
    expect(safetyScriptOf(leak, byId)).toBe('请您立即打开门窗通风')
    expect(safetyScriptOf(withParentScript, byId)).toBe('父级提示')
    expect(safetyScriptOf(noGas, byId)).toBeNull()
  })

  it('survives a missing parent and a cycle', () => {
    const orphan = cat('X-1', '孤儿', 'Orphan', 'repair', undefined, { parent_id: 9999 })
    const a = cat('C-A', '甲', 'A', 'repair')
    const b = cat('C-B', '乙', 'B', 'repair', a)
    a.parent_id = b.id
    const byId = indexById([orphan, a, b])
    expect(categoryPath(orphan, byId, 'zh-CN')).toBe('孤儿')
    expect(categoryPath(b, byId, 'en')).toBe('A › B')
  })
})

describe('filterCategories', () => {
  it('offers only active leaves of the chosen type, in catalogue order', () => {
    expect(codes('repair', '')).toEqual(['RP-GAS-NOGAS', 'RP-GAS-METER', 'RP-ELEC-OUTAGE', 'RP-ELEC-METER'])
    expect(codes('inquiry', '')).toEqual(['IQ-BILL'])
    expect(codes('emergency', '')).toEqual(['EM-GAS-LEAK', 'EM-GAS-FIRE'])
    expect(codes('praise', '')).toEqual([])
  })

  it('matches the Chinese name', () => {
    expect(codes('repair', '无气')).toEqual(['RP-GAS-NOGAS'])
    expect(codes('repair', '表')).toEqual(['RP-GAS-METER', 'RP-ELEC-METER'])
  })

  it('matches the code, case-insensitively, an exact code first', () => {
    expect(codes('repair', 'rp-gas-meter')).toEqual(['RP-GAS-METER'])
    expect(codes('repair', 'nogas')).toEqual(['RP-GAS-NOGAS'])
    expect(codes('repair', 'RP-ELEC')).toEqual(['RP-ELEC-OUTAGE', 'RP-ELEC-METER'])
  })

  it('matches the English name, whatever the language shown', () => {
    expect(codes('repair', 'low pressure')).toEqual(['RP-GAS-NOGAS'])
    expect(codes('repair', 'Outage', 'en')).toEqual(['RP-ELEC-OUTAGE'])
  })

  it("matches through a parent's name, own matches first", () => {
    expect(codes('repair', '燃气')).toEqual(['RP-GAS-METER', 'RP-GAS-NOGAS'])
    expect(codes('repair', '电力报修')).toEqual(['RP-ELEC-OUTAGE', 'RP-ELEC-METER'])
  })

  it('needs every word of the query', () => {
    expect(codes('repair', 'gas meter')).toEqual(['RP-GAS-METER'])
    expect(codes('repair', 'gas outage')).toEqual([])
  })

  it('never offers another type, an inactive category or a parent', () => {
    expect(codes('repair', '泄漏')).toEqual([])
    expect(codes('repair', '旧分类')).toEqual([])
    expect(codes('repair', 'RP-GAS')).not.toContain('RP-GAS')
  })

  it('labels options with the path and carries the safety script', () => {
    const [option] = filterCategories(ALL, 'emergency', 'leak', 'en')
    expect(option.label).toBe('Gas emergency › Gas leak / smell of gas')
    expect(option.safetyScript).toBe('请您立即打开门窗通风')
    expect(option.category.default_grade).toBe('urgent')
  })
})

describe('useCategoryPicker', () => {
  it('follows the query, the type and the language', async () => {
    const type = ref('repair')
    const locale = ref('zh-CN')
    const picker = useCategoryPicker(ref(ALL), type, locale)
    expect(picker.options.value).toHaveLength(4)
    picker.setQuery('无气')
    expect(picker.options.value.map((o) => o.label)).toEqual(['燃气报修 › 无气/气压低'])
    locale.value = 'en'
    await nextTick()
    expect(picker.options.value.map((o) => o.label)).toEqual(['Gas repair › No gas / low pressure'])
    picker.setQuery('')
    type.value = 'emergency'
    expect(picker.options.value.map((o) => o.value)).toEqual(['EM-GAS-LEAK', 'EM-GAS-FIRE'])
  })

  it('finds the chosen code among the type, whatever is typed', () => {
    const picker = useCategoryPicker(ALL, 'emergency', 'zh-CN')
    picker.setQuery('fire')
    expect(picker.find('EM-GAS-LEAK')?.safetyScript).toBe('请您立即打开门窗通风')
    expect(picker.find('RP-GAS-NOGAS')).toBeUndefined()
    expect(picker.find('')).toBeUndefined()
  })
})
