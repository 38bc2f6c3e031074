// 在线客服 (chat.*): the agents' inbox of the written channels, its lists, thread, composer and quick replies, the
// actions' dialogs, the customer panel, and the order page's 来源会话 card (chat.order.*).
export default {
  'zh-CN': {
    chat: {
      menu: '在线客服',
      title: '在线客服',
      refresh: '刷新',
      tabs: { mine: '我的会话', queue: '排队中', bot: '机器人接待', closed: '已结束' },
      header: {
        queued: '排队 {n}', longest: '最长等待 {wait}', mine: '我的会话 {n}/{limit}', today: '今日',
        conversations: '会话 {n}', avgWait: '平均等待 {wait}', firstResponse: '平均首响 {wait}',
        withinTarget: '首响达标 {rate}', satisfied: '满意率 {rate}', deflection: '机器人解决 {rate}',
        live: '实时', polling: '轮询中',
      },
      list: {
        empty: {
          mine: '暂无进行中的会话', queue: '暂无排队的客户', bot: '暂无机器人接待中的会话', closed: '暂无已结束的会话',
        },
        accept: '接入', waiting: '等待 {wait}', unread: '新消息', awaiting: '待回复', escalation: '升级{n}',
        escalationTitle: '客户等待超时，已逐级通知 {n} 级', noText: '（无文字）', full: '我的会话已满（{n}/{limit}）',
        botFor: '已接待 {wait}', closedAt: '结束于 {time}',
      },
      state: { bot: '机器人接待', queued: '排队中', assigned: '人工服务中', closed: '已结束' },
      channel: { wechat: '微信公众号', web: '网站在线', email: '电子邮件', sms: '短信' },
      handoff: {
        asked: '客户要求人工', misses: '机器人未能解答', media: '图片/位置需人工查看', no_bot: '直接进入人工队列',
        agent: '座席主动接入',
      },
      closeReason: {
        solved: '问题已解决', customer: '客户结束对话', order: '已登记工单', idle: '客户长时间未回复',
        spam: '无效/骚扰信息', bot: '机器人已解答', auto_reply: '自动回复',
      },
      rating: { satisfied: '满意', basic: '基本满意', unsatisfied: '不满意' },
      thread: {
        pick: '请从左侧选择一个会话', empty: '暂无消息', bot: '机器人', confidence: '置信度 {p}', customer: '客户',
        agent: '客服', suggestions: '您是不是想问：', imageFailed: '图片无法显示', openImage: '查看原图',
        location: '位置', file: '文件', notFound: '会话 #{id} 不存在', image: '图片', imageLoading: '图片加载中',
        imageExpired: '图片已过期或无法获取', voice: '语音', voiceLoading: '语音加载中', voiceExpired: '语音已过期或无法获取',
        downloadVoice: '下载语音', recognition: '语音识别：{text}',
        delivery: { pending: '发送中', sent: '已发送', failed: '发送失败', local: '已送达' },
        event: { subscribe: '客户关注了公众号', unsubscribe: '客户取消了关注', click: '客户点击了菜单', other: '客户事件：{name}' },
      },
      composer: {
        placeholder: '输入回复，Enter 发送，Shift+Enter 换行', send: '发送', tooLong: '消息最多 {max} 字',
        takeHint: '发送即接入此会话', stepInHint: '发送后将从机器人接入此会话', closed: '会话已结束，不能再回复',
        notYours: '该会话由 {name} 服务中', managerStepIn: '该会话由 {name} 服务中，您作为经理可介入',
      },
      quick: {
        button: '快捷回复', placeholder: '搜索知识库，如：过户、缴费', empty: '未找到相关知识', hint: '点击条目将正文插入输入框',
        outage: '停供', article: '知识', inserted: '已插入：{title}',
      },
      action: {
        accept: '接入', transfer: '转接', toBot: '转机器人', close: '结束会话', register: '登记工单',
        accepted: '已接入会话', transferred: '已转接给 {name}', toBotDone: '已转回机器人', closed: '会话已结束',
        registered: '已登记工单 {number}', order: '工单', toBotConfirm: '将会话交回机器人？客户可继续向机器人提问，需要人工时回复“人工”。',
        toBotTitle: '转机器人',
      },
      transfer: {
        title: '转接会话', agent: '转接给', agentPlaceholder: '选择客服或经理', note: '备注',
        notePlaceholder: '给接手同事的说明（客户看不到）', submit: '转接', need: '请选择转接对象', none: '暂无可选的同事',
        hint: '转接后会话归对方处理，客户会收到转接提示。',
        seat: { signed_in: '已签入', ready: '就绪', not_ready: '示忙', on_call: '通话中', acw: '话后处理', signed_out: '未签入' },
      },
      close: { title: '结束会话', reason: '结束原因', hint: '结束后将在原渠道邀请客户评价（回复1满意，2基本满意，3不满意）。', submit: '结束会话' },
      register: {
        title: '登记工单', type: '类型', category: '业务分类', categoryPlaceholder: '输入名称或编码搜索',
        categoryNone: '无匹配的分类', description: '问题描述', contactPhone: '联系电话',
        contactPhoneHint: '留空则使用客户来信号码或档案号码', contactName: '联系人', address: '地址', submit: '登记',
        need: { category: '请选择业务分类', description: '请填写问题描述' }, safety: '安全提示',
      },
      customer: {
        title: '客户信息', unknown: '未识别客户', tags: '标签', address: '地址', orders: '在办工单', noOrders: '无在办工单',
        outages: '所在区域停供', noOutages: '所在区域暂无停供', channel: '渠道', contact: '联系方式', handoff: '转人工原因',
        state: '状态', agent: '服务客服', subject: '主题', created: '发起时间', order: '本会话工单', rating: '客户评价',
        closeReason: '结束原因', eta: '预计恢复 {time}', etaUnknown: '恢复时间待定', conversation: '会话信息',
        customerId: '客户编号 {id}',
        pick: '选择会话后显示客户信息',
      },
      order: { title: '来源会话', open: '查看会话', by: '客服 {name}' },
      notice: { assigned: '新会话 #{id} 已分配给您', failed: '会话 #{id} 有消息发送失败' },
    },
  },
  en: {
    chat: {
      menu: 'Chat inbox',
      title: 'Chat inbox',
      refresh: 'Refresh',
      tabs: { mine: 'Mine', queue: 'Queue', bot: 'With the bot', closed: 'Closed' },
      header: {
        queued: '{n} queued', longest: 'longest wait {wait}', mine: 'mine {n}/{limit}', today: 'Today',
        conversations: '{n} conversations', avgWait: 'avg wait {wait}', firstResponse: 'avg first response {wait}',
        withinTarget: 'first response on target {rate}', satisfied: 'satisfied {rate}', deflection: 'solved by bot {rate}',
        live: 'live', polling: 'polling',
      },
      list: {
        empty: {
          mine: 'No conversations of yours', queue: 'Nobody is waiting', bot: 'No conversations with the bot',
          closed: 'No closed conversations',
        },
        accept: 'Take', waiting: 'waiting {wait}', unread: 'new', awaiting: 'to answer', escalation: 'L{n}',
        escalationTitle: 'Waited too long: escalated {n} level(s)', noText: '(no text)', full: 'You hold the most ({n}/{limit})',
        botFor: 'with the bot {wait}', closedAt: 'closed {time}',
      },
      state: { bot: 'With the bot', queued: 'Queued', assigned: 'With an agent', closed: 'Closed' },
      channel: { wechat: 'WeChat', web: 'Web chat', email: 'E-mail', sms: 'SMS' },
      handoff: {
        asked: 'Customer asked for a person', misses: 'The bot could not answer', media: 'Picture or place to look at',
        no_bot: 'Straight to the agents', agent: 'An agent stepped in',
      },
      closeReason: {
        solved: 'Solved', customer: 'Customer ended it', order: 'Order registered', idle: 'Customer went quiet',
        spam: 'Spam or invalid', bot: 'Answered by the bot', auto_reply: 'Auto-reply',
      },
      rating: { satisfied: 'Satisfied', basic: 'Basically satisfied', unsatisfied: 'Unsatisfied' },
      thread: {
        pick: 'Pick a conversation on the left', empty: 'No messages', bot: 'Bot', confidence: 'confidence {p}',
        customer: 'Customer', agent: 'Agent', suggestions: 'Did you mean:', imageFailed: 'The picture cannot be shown',
        openImage: 'Open the picture', location: 'Location', file: 'File', notFound: 'No conversation #{id}',
        image: 'Picture', imageLoading: 'Loading the picture', imageExpired: 'The picture has expired or cannot be fetched',
        voice: 'Voice', voiceLoading: 'Loading the voice message', voiceExpired: 'The voice message has expired or cannot be fetched',
        downloadVoice: 'Download the voice message', recognition: 'Recognised: {text}',
        delivery: { pending: 'sending', sent: 'sent', failed: 'not sent', local: 'delivered' },
        event: {
          subscribe: 'The customer followed the account', unsubscribe: 'The customer unfollowed',
          click: 'The customer clicked a menu', other: 'Customer event: {name}',
        },
      },
      composer: {
        placeholder: 'Type an answer: Enter sends, Shift+Enter starts a new line', send: 'Send',
        tooLong: 'A message is at most {max} characters', takeHint: 'Sending takes this conversation',
        stepInHint: 'Sending takes this conversation over from the bot', closed: 'The conversation is closed',
        notYours: '{name} is serving this conversation', managerStepIn: '{name} is serving it; as a manager you may step in',
      },
      quick: {
        button: 'Quick replies', placeholder: 'Search the knowledge base', empty: 'Nothing found',
        hint: 'Click an entry to insert its text', outage: 'Outage', article: 'Article', inserted: 'Inserted: {title}',
      },
      action: {
        accept: 'Take', transfer: 'Transfer', toBot: 'Back to the bot', close: 'End', register: 'Register order',
        accepted: 'Conversation taken', transferred: 'Transferred to {name}', toBotDone: 'Back with the bot',
        closed: 'Conversation ended', registered: 'Order {number} registered', order: 'Order',
        toBotConfirm: 'Hand the conversation back to the bot? The customer may ask it more and reply "人工" for a person.',
        toBotTitle: 'Back to the bot',
      },
      transfer: {
        title: 'Transfer the conversation', agent: 'To', agentPlaceholder: 'Pick an agent or a manager', note: 'Note',
        notePlaceholder: 'For your colleague (the customer does not see it)', submit: 'Transfer', need: 'Pick who takes it',
        none: 'Nobody to pick', hint: 'Your colleague takes it over; the customer is told.',
        seat: {
          signed_in: 'signed in', ready: 'ready', not_ready: 'not ready', on_call: 'on a call', acw: 'after-call work',
          signed_out: 'signed out',
        },
      },
      close: {
        title: 'End the conversation', reason: 'Reason',
        hint: 'The customer is asked to rate it in the same channel (1 satisfied, 2 basically, 3 unsatisfied).',
        submit: 'End',
      },
      register: {
        title: 'Register an order', type: 'Type', category: 'Category', categoryPlaceholder: 'Type a name or a code',
        categoryNone: 'No matching category', description: 'Description', contactPhone: 'Contact phone',
        contactPhoneHint: "Empty: the number the customer wrote from, or their account's", contactName: 'Contact',
        address: 'Address', submit: 'Register',
        need: { category: 'Pick a category', description: 'Describe the matter' }, safety: 'Safety',
      },
      customer: {
        title: 'Customer', unknown: 'Not identified', tags: 'Tags', address: 'Address', orders: 'Open orders',
        noOrders: 'No open orders', outages: 'Outages in their area', noOutages: 'No outage in their area',
        channel: 'Channel', contact: 'Contact', handoff: 'Handed over', state: 'State', agent: 'Agent', subject: 'Subject',
        created: 'Started', order: 'Order', rating: 'Rating', closeReason: 'Ended',
        eta: 'back by {time}', etaUnknown: 'back: not known yet', conversation: 'Conversation', customerId: 'Customer {id}',
        pick: 'The customer of the conversation you open shows here',
      },
      order: { title: 'From conversations', open: 'Open', by: 'agent {name}' },
      notice: { assigned: 'Conversation #{id} is now yours', failed: 'A message of conversation #{id} was not sent' },
    },
  },
}
