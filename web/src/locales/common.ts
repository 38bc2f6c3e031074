// Shared vocabulary: states, types, grades, channels, roles, tags, buttons. Each page keeps its own
// strings in a file of its own beside this one (locales/<page>.ts), merged by locales/index.ts.
export default {
  'zh-CN': {
    app: { name: '回音', slogan: '件件有落实，事事有回音', title: '回音 · 客服热线与工单平台' },
    common: {
      search: '查询', reset: '重置', save: '保存', cancel: '取消', confirm: '确定', submit: '提交',
      refresh: '刷新', edit: '编辑', create: '新建', delete: '删除', close: '关闭', back: '返回',
      loading: '加载中…', empty: '暂无数据', retry: '重试', error: '出错了', actions: '操作',
      yes: '是', no: '否', all: '全部', total: '共 {n} 条', required: '必填', saved: '已保存',
      details: '详情', status: '状态', name: '名称', code: '编码', note: '备注', active: '启用',
      inactive: '停用', view: '查看', optional: '选填', none: '无',
    },
    layout: {
      signOut: '退出登录', language: '语言', signedInAs: '当前用户', menu: '菜单',
      sessionExpired: '登录已过期，请重新登录',
    },
    menu: {
      home: '首页', overview: '运行概览', workbench: '座席工作台', orders: '工单查询', dispatch: '待派单',
      inbox: '单位待办',
      callbacks: '回访', admin: '系统管理', users: '用户与角色', units: '单位', areas: '区域',
      categories: '业务分类', dispatchRules: '派单规则',
    },
    state: {
      registered: '待派单', dispatched: '已派单', accepted: '已接单', in_progress: '处理中',
      suspended: '挂起', merged: '已并单', resolved: '待回访', closed: '已归档', open: '未归档',
    },
    type: {
      inquiry: '咨询查询', service_request: '业务受理', repair: '报修', emergency: '事故报警',
      complaint: '投诉', suggestion: '建议', praise: '表扬', callback: '回访', care: '关怀', support: '专家求助',
    },
    grade: { normal: '一般', important: '重要', urgent: '紧急' },
    channel: { phone: '电话', wechat: '微信', web: '网站', email: '邮件', sms: '短信', walk_in: '营业厅' },
    callbackResult: {
      satisfied: '满意', basically_satisfied: '基本满意', unsatisfied: '不满意', unreachable: '无法联系',
    },
    action: {
      register: '受理', dispatch: '派单', accept: '接单', start: '开始处理', suspend: '挂起', resume: '恢复',
      return: '退单', reassign: '改派', resolve: '办结', callback: '回访', close: '归档', reopen: '重新打开',
      urge: '催办', supervise: '督办', warn: '临期预警', escalate: '超时升级',
      verdict: '投诉定责', verdict_review: '定责复核', action_done: '整改完成', merge: '并单', unmerge: '撤销并单',
    },
    role: {
      agent: '客服代表', duty_manager: '当值经理', floor_manager: '现场管理', supervisor: '业务主管',
      director: '客户服务中心领导', dispatcher: '调度', unit_handler: '处理单位', qa_inspector: '质检员',
      admin: '系统管理员',
    },
    tag: {
      key_customer: '重要客户', sensitive: '敏感客户', repeat_complainant: '重复投诉', elderly: '老年客户',
      vip: 'VIP',
    },
    areaType: { urban: '城区', rural: '农村', remote: '偏远' },
    unitKind: { company: '公司', branch: '分公司', station: '站所', team: '班组', center: '中心' },
  },
  en: {
    app: { name: 'Huiyin', slogan: 'Every request answered', title: 'Huiyin · Service hotline and work orders' },
    common: {
      search: 'Search', reset: 'Reset', save: 'Save', cancel: 'Cancel', confirm: 'OK', submit: 'Submit',
      refresh: 'Refresh', edit: 'Edit', create: 'New', delete: 'Delete', close: 'Close', back: 'Back',
      loading: 'Loading…', empty: 'No data', retry: 'Retry', error: 'Something went wrong', actions: 'Actions',
      yes: 'Yes', no: 'No', all: 'All', total: '{n} in all', required: 'Required', saved: 'Saved',
      details: 'Details', status: 'Status', name: 'Name', code: 'Code', note: 'Note', active: 'Active',
      inactive: 'Inactive', view: 'View', optional: 'Optional', none: 'None',
    },
    layout: {
      signOut: 'Sign out', language: 'Language', signedInAs: 'Signed in as', menu: 'Menu',
      sessionExpired: 'Your session has expired; please sign in again',
    },
    menu: {
      home: 'Home', overview: 'Overview', workbench: 'Agent workbench', orders: 'Work orders',
      dispatch: 'Dispatch queue',
      inbox: 'Unit inbox', callbacks: 'Callbacks', admin: 'Administration', users: 'Users and roles',
      units: 'Units', areas: 'Areas', categories: 'Categories', dispatchRules: 'Dispatch rules',
    },
    state: {
      registered: 'To dispatch', dispatched: 'Dispatched', accepted: 'Accepted', in_progress: 'In progress',
      suspended: 'Suspended', merged: 'Merged', resolved: 'To call back', closed: 'Closed', open: 'Open',
    },
    type: {
      inquiry: 'Inquiry', service_request: 'Service request', repair: 'Repair', emergency: 'Emergency',
      complaint: 'Complaint', suggestion: 'Suggestion', praise: 'Praise', callback: 'Callback', care: 'Care',
      support: 'Expert help',
    },
    grade: { normal: 'Normal', important: 'Important', urgent: 'Urgent' },
    channel: { phone: 'Phone', wechat: 'WeChat', web: 'Web', email: 'Email', sms: 'SMS', walk_in: 'Walk-in' },
    callbackResult: {
      satisfied: 'Satisfied', basically_satisfied: 'Mostly satisfied', unsatisfied: 'Unsatisfied',
      unreachable: 'Unreachable',
    },
    action: {
      register: 'Register', dispatch: 'Dispatch', accept: 'Accept', start: 'Start', suspend: 'Suspend',
      resume: 'Resume', return: 'Return', reassign: 'Reassign', resolve: 'Resolve', callback: 'Call back',
      close: 'Close', reopen: 'Reopen', urge: 'Urge', supervise: 'Supervise', warn: 'Deadline warning',
      escalate: 'Escalated', verdict: 'Complaint verdict', verdict_review: 'Verdict reviewed', action_done: 'Corrective action done',
      merge: 'Merged', unmerge: 'Unmerged',
    },
    role: {
      agent: 'Agent', duty_manager: 'Duty manager', floor_manager: 'Floor manager', supervisor: 'Supervisor',
      director: 'Director', dispatcher: 'Dispatcher', unit_handler: 'Unit handler', qa_inspector: 'QA inspector',
      admin: 'Administrator',
    },
    tag: {
      key_customer: 'Key customer', sensitive: 'Sensitive', repeat_complainant: 'Repeat complainant',
      elderly: 'Elderly', vip: 'VIP',
    },
    areaType: { urban: 'Urban', rural: 'Rural', remote: 'Remote' },
    unitKind: { company: 'Company', branch: 'Branch', station: 'Station', team: 'Team', center: 'Center' },
  },
}
