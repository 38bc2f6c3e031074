export default {
  'zh-CN': {
    orderAction: {
      unit: '处理单位', pickUnit: '从单位树中选择', reason: '原因', result: '处理结果', callbackResult: '回访结果',
      photos: '现场照片', addPhoto: '添加照片', needUnit: '请选择处理单位', needText: '请填写{what}',
      needResult: '请选择回访结果', done: '{number} 已{action}',
    },
  },
  en: {
    orderAction: {
      unit: 'Unit', pickUnit: 'Pick from the unit tree', reason: 'Reason', result: 'Result',
      callbackResult: 'Callback result', photos: 'Photos', addPhoto: 'Add photo', needUnit: 'Pick a unit',
      needText: '{what} is required', needResult: 'Pick a callback result', done: '{number}: {action} done',
    },
  },
}
