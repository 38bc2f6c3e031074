export default {
  'zh-CN': {
    orderAction: {
      unit: '处理单位', pickUnit: '从单位树中选择', reason: '原因', result: '处理结果', callbackResult: '回访结果',
      photos: '现场照片', addPhoto: '添加照片', needUnit: '请选择处理单位', needText: '请填写{what}',
      needResult: '请选择回访结果', done: '{number} 已{action}',
      urgeHint: '催办：工单标记为“催办”，处理单位须确认收到。工单状态不变。',
      superviseHint: '督办：工单列入督办，处理单位须确认收到。督办标记不会被撤销，工单状态不变。',
      markNote: '可选：催办/督办说明，处理单位会在弹窗中看到',
    },
  },
  en: {
    orderAction: {
      unit: 'Unit', pickUnit: 'Pick from the unit tree', reason: 'Reason', result: 'Result',
      callbackResult: 'Callback result', photos: 'Photos', addPhoto: 'Add photo', needUnit: 'Pick a unit',
      needText: '{what} is required', needResult: 'Pick a callback result', done: '{number}: {action} done',
      urgeHint: 'Urging marks the order "urged"; the unit must acknowledge it. The state stays.',
      superviseHint: 'Supervision marks the order "supervised" for good; the unit must acknowledge it. The state stays.',
      markNote: 'Optional: a note the unit sees in its popup',
    },
  },
}
