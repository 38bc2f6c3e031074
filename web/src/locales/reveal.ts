// 显示号码 and 复制 of PhoneReveal: a masked number, read whole on request (every read is recorded).
export default {
  'zh-CN': {
    phoneReveal: {
      show: '显示号码',
      hint: '显示完整号码（每次查看都会被记录）',
      failed: '无法显示号码：{error}',
      copy: '复制',
      copied: '已复制 {phone}',
      copyFailed: '复制失败，请手动选择号码',
    },
  },
  en: {
    phoneReveal: {
      show: 'Show number',
      hint: 'Show the whole number (every view is recorded)',
      failed: 'Could not show the number: {error}',
      copy: 'Copy',
      copied: 'Copied {phone}',
      copyFailed: 'Could not copy; select the number by hand',
    },
  },
}
