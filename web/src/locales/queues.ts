// The three work queues: 待派单 (dispatcher), 单位待办 (unit handler), 回访 (agent).
export default {
  'zh-CN': {
    queues: {
      refreshedAt: '{time} 刷新', autoRefresh: '每 30 秒自动刷新',
      wait: { minutes: '{m} 分钟', hours: '{h} 小时 {m} 分', days: '{d} 天 {h} 小时' },
      col: {
        number: '工单编号', type: '类型', category: '业务分类', grade: '等级', address: '地址', area: '区域',
        created: '受理时间', waiting: '已等待', state: '状态', contact: '联系人', phone: '联系电话',
        unit: '处理单位', updated: '更新时间', resolved: '办结时间', result: '处理结果', attempts: '已回访次数',
        description: '诉求内容',
      },
      dispatch: {
        title: '待派单', tabQueue: '待派单', tabReturned: '退单', emptyQueue: '没有待派单的工单',
        emptyReturned: '没有被退回的工单', returnedBy: '退单单位', returnReason: '退单原因',
        returnedAt: '退单时间', returnedByUser: '退单人', more: '仅显示最早的 {n} 条，共 {total} 条',
      },
      inbox: {
        title: '单位待办', tabPending: '待接单', tabWorking: '处理中', tabDone: '已办结',
        emptyPending: '没有待接单的工单', emptyWorking: '没有处理中的工单', emptyDone: '最近没有办结的工单',
        doneHint: '最近办结、等待回访的工单', noUnit: '当前账号未关联处理单位，无法查看单位待办',
      },
      callbacks: {
        title: '回访', mineOnly: '我的回访', all: '全部', empty: '没有待回访的工单', copy: '复制',
        copied: '已复制 {phone}', copyFailed: '复制失败，请手动选择号码', taskCreated: '生成时间',
        resultEmpty: '（未填写）', orderGone: '工单 {id} 无法读取',
      },
    },
  },
  en: {
    queues: {
      refreshedAt: 'Refreshed {time}', autoRefresh: 'auto refresh every 30 s',
      wait: { minutes: '{m} min', hours: '{h} h {m} min', days: '{d} d {h} h' },
      col: {
        number: 'Number', type: 'Type', category: 'Category', grade: 'Grade', address: 'Address', area: 'Area',
        created: 'Registered', waiting: 'Waiting', state: 'State', contact: 'Contact', phone: 'Phone',
        unit: 'Unit', updated: 'Updated', resolved: 'Resolved', result: 'Result', attempts: 'Attempts',
        description: 'Request',
      },
      dispatch: {
        title: 'Dispatch queue', tabQueue: 'To dispatch', tabReturned: 'Returned', emptyQueue: 'Nothing to dispatch',
        emptyReturned: 'No returned orders', returnedBy: 'Returned by unit', returnReason: 'Return reason',
        returnedAt: 'Returned at', returnedByUser: 'Returned by', more: 'Showing the oldest {n} of {total}',
      },
      inbox: {
        title: 'Unit inbox', tabPending: 'To accept', tabWorking: 'In hand', tabDone: 'Resolved',
        emptyPending: 'Nothing to accept', emptyWorking: 'Nothing in hand', emptyDone: 'Nothing resolved lately',
        doneHint: 'Recently resolved orders waiting for their callback',
        noUnit: 'This account belongs to no unit, so it has no unit inbox',
      },
      callbacks: {
        title: 'Callbacks', mineOnly: 'Mine', all: 'All', empty: 'No callbacks due', copy: 'Copy',
        copied: 'Copied {phone}', copyFailed: 'Could not copy; select the number by hand',
        taskCreated: 'Task created', resultEmpty: '(none given)', orderGone: 'Order {id} could not be read',
      },
    },
  },
}
