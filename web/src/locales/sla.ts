// Time limits (SLA): countdowns, stage names, the order's 时限 card.
export default {
  'zh-CN': {
    sla: {
      col: '时限', title: '时限', none: '无时限要求',
      left: '剩余 {t}', overdue: '超时 {t}', metOnTime: '按时完成', metLate: '超时完成', paused: '已暂停',
      dur: { dh: '{d}天{h}小时', hm: '{h}小时{m}分', m: '{m}分', lessThanMinute: '不足1分' },
      stage: { accept: '接单', arrive: '到场', resolve: '办结', reply: '答复', callback: '回访', action: '整改' },
      f: { stage: '环节', cycle: '轮次', due: '截止时间', state: '状态' },
      cycle: { first: '首次', reopen: '重办 {n}' },
      escalation: '已升级 {n} 级',
    },
  },
  en: {
    sla: {
      col: 'Time limit', title: 'Time limits', none: 'No time limits',
      left: '{t} left', overdue: '{t} overdue', metOnTime: 'On time', metLate: 'Late', paused: 'Paused',
      dur: { dh: '{d}d {h}h', hm: '{h}h {m}m', m: '{m}m', lessThanMinute: '<1m' },
      stage: { accept: 'Accept', arrive: 'Arrive', resolve: 'Resolve', reply: 'Reply', callback: 'Callback', action: 'Corrective action' },
      f: { stage: 'Stage', cycle: 'Cycle', due: 'Due', state: 'Status' },
      cycle: { first: 'First', reopen: 'Reopen {n}' },
      escalation: 'Escalated to level {n}',
    },
  },
}
